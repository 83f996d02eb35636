package io.configd.bridge;

import io.configd.model.WireTime;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Bridge counters of one node, shared by its API verticle instances (the node builds one). */
public final class BridgeStats {

  public static final List<String> TRANSPORTS = List.of("sockjs", "websocket", "tcp", "sse");

  final LongAdder connected = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder slowClosed = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder subscriptions = new LongAdder();
  private final Map<String, LongAdder> byTransport = new ConcurrentHashMap<>();
  private final Timer propagationLag;

  /** @param propagationLag the histogram of commit-to-socket-write lag, recorded by the fan-out */
  public BridgeStats(Timer propagationLag) {
    this.propagationLag = propagationLag;
  }

  /** Connected sockets of one transport. */
  LongAdder connected(String transport) {
    return byTransport.computeIfAbsent(transport, name -> new LongAdder());
  }

  /** A change was written to the sockets of one address: from its commit ({@code timestamp}) to now. */
  void written(JsonObject change) {
    // the commit time, whichever name the change message gives it
    String committed = change.getString("timestamp", change.getString("updatedAt"));
    if (committed == null) {
      return;
    }
    try {
      propagationLag.record(Duration.between(WireTime.parse(committed), Instant.now()));
    } catch (DateTimeParseException e) {
      // not a change this node wrote: nothing to measure
    }
  }

  public long sockets(String transport) {
    return connected(transport).sum();
  }

  public long subscriptions() {
    return subscriptions.sum();
  }

  public long delivered() {
    return delivered.sum();
  }

  public long slowClosed() {
    return slowClosed.sum();
  }

  public long refused() {
    return refused.sum();
  }

  public JsonObject toJson() {
    JsonObject transports = new JsonObject();
    for (String transport : TRANSPORTS) {
      transports.put(transport, connected(transport).sum());
    }
    return new JsonObject()
        .put("connected", connected.sum())
        .put("transports", transports)
        .put("subscriptions", subscriptions.sum())
        .put("delivered", delivered.sum())
        .put("slowClosed", slowClosed.sum())
        .put("refused", refused.sum());
  }
}
