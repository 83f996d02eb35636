package io.configd.spring;

import io.configd.client.ConnectionState;
import io.configd.client.Watch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.DisposableBean;

/**
 * Micrometer meters of the client: {@code configd.client.connected} (1 or 0), {@code configd.client.keys} and
 * {@code configd.client.watermark} per watch, {@code configd.client.changes} (changes applied, per environment).
 */
final class ConfigdMetrics implements DisposableBean {

  private final java.util.List<io.configd.client.ListenerHandle> handles = new java.util.ArrayList<>();

  ConfigdMetrics(ConfigdClient configd, MeterRegistry registry) {
    Gauge.builder("configd.client.connected", configd.client(), client -> {
      ConnectionState state = client.connectionState();
      return state == ConnectionState.BRIDGE || state == ConnectionState.HTTP_POLLING ? 1 : 0;
    }).description("1 while connected to a configd node (bridge or HTTP polling)").register(registry);
    for (Watch watch : configd.properties().watches()) {
      String tag = watch.toString();
      Gauge.builder("configd.client.keys", configd.client(), client -> client.env(watch.env()).keys().stream()
              .filter(watch::coversKey)
              .count())
          .tag("watch", tag).description("keys held under the watch").register(registry);
      Gauge.builder("configd.client.watermark", configd.client(),
              client -> client.watermark(watch.env(), watch.prefix()).orElse(-1))
          .tag("watch", tag).description("revision up to which the watch is known complete").register(registry);
      Counter changes = Counter.builder("configd.client.changes").tag("watch", tag)
          .description("changes applied").register(registry);
      handles.add(configd.client().env(watch.env()).onChange(watch.prefix(), change -> changes.increment()));
    }
  }

  @Override
  public void destroy() {
    handles.forEach(io.configd.client.ListenerHandle::remove);
  }
}
