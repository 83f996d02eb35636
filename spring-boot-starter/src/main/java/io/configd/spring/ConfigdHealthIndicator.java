package io.configd.spring;

import io.configd.client.ConnectionState;
import io.configd.client.Watch;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * {@code /actuator/health/configd}: UP while connected (bridge or HTTP polling), UNKNOWN while disconnected (the
 * service keeps serving the last values it holds, so this does not take it out of service), DOWN once closed.
 */
final class ConfigdHealthIndicator extends AbstractHealthIndicator {

  private final ConfigdClient configd;

  ConfigdHealthIndicator(ConfigdClient configd) {
    super("configd health check failed");
    this.configd = configd;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    ConnectionState state = configd.client().connectionState();
    Status status = switch (state) {
      case BRIDGE, HTTP_POLLING -> Status.UP;
      case CLOSED -> Status.DOWN;
      default -> Status.UNKNOWN;
    };
    Map<String, Object> watermarks = new LinkedHashMap<>();
    for (Watch watch : configd.properties().watches()) {
      configd.client().watermark(watch.env(), watch.prefix()).ifPresent(revision -> watermarks.put(watch.toString(), revision));
    }
    builder.status(status).withDetail("connection", state.name())
        .withDetail("node", configd.client().connectedNode().orElse("none"))
        .withDetail("watermarks", watermarks);
  }
}
