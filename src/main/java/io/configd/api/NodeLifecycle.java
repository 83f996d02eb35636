package io.configd.api;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Where the node stands, for {@code /ready} and the shutdown: STARTING until every verticle is deployed, SERVING, then
 * DRAINING from SIGTERM on (not ready, still serving, for the readiness delay, so that load balancers and Kubernetes
 * take the node out first), STOPPED once closed. The node changes it; the API instances read it.
 */
public final class NodeLifecycle {

  public enum State { STARTING, SERVING, DRAINING, STOPPED }

  /**
   * The {@code shutdown} section.
   *
   * @param readinessDelay how long a stopping node keeps serving while it answers /ready 503
   * @param requestGrace   how long the HTTP servers wait for requests in flight once they stop accepting
   */
  public record Settings(Duration readinessDelay, Duration requestGrace) {

    /** {@code readinessDelayMs} (2000), {@code requestGraceMs} (10000). */
    public static Settings from(JsonObject shutdown) {
      return new Settings(Duration.ofMillis(shutdown.getLong("readinessDelayMs", 2_000L)),
          Duration.ofMillis(shutdown.getLong("requestGraceMs", 10_000L)));
    }
  }

  private final Duration readinessDelay;
  private final Duration requestGrace;
  private volatile State state = State.STARTING;

  public NodeLifecycle(Settings settings) {
    this.readinessDelay = settings.readinessDelay();
    this.requestGrace = settings.requestGrace();
  }

  public State state() {
    return state;
  }

  public void moveTo(State next) {
    state = next;
  }

  public boolean serving() {
    return state == State.SERVING;
  }

  public Duration readinessDelay() {
    return readinessDelay;
  }

  public Duration requestGrace() {
    return requestGrace;
  }
}
