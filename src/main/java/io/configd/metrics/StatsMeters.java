package io.configd.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * Meters read from what one node-local stats address last answered (the publisher, the cache, the propagation): the
 * scrape asks the address first, so the verticles keep their counters on their own event loop and the read path pays
 * nothing for metrics. A value the last answer did not have reads as NaN.
 */
final class StatsMeters {

  private final MeterRegistry registry;
  private final Supplier<JsonObject> latest;

  StatsMeters(MeterRegistry registry, Supplier<JsonObject> latest) {
    this.registry = registry;
    this.latest = latest;
  }

  StatsMeters counter(String name, String help, String path, String... tags) {
    FunctionCounter.builder(name, this, meters -> meters.number(path)).description(help).tags(tags).register(registry);
    return this;
  }

  StatsMeters gauge(String name, String help, String unit, String path, double scale, String... tags) {
    Gauge.builder(name, this, meters -> meters.number(path) * scale).description(help).baseUnit(unit).tags(tags)
        .register(registry);
    return this;
  }

  /** 1 when the value at {@code path} is {@code expected} (a string or a boolean), else 0. */
  StatsMeters flag(String name, String help, String path, Object expected, String... tags) {
    Gauge.builder(name, this, meters -> {
      Object value = meters.value(path);
      return value == null ? Double.NaN : expected.equals(value) ? 1 : 0;
    }).description(help).tags(tags).register(registry);
    return this;
  }

  double number(String path) {
    return value(path) instanceof Number number ? number.doubleValue() : Double.NaN;
  }

  /** The value at a dot-separated path of the latest answer, or null. */
  Object value(String path) {
    Object node = latest.get();
    for (String member : path.split("\\.")) {
      if (!(node instanceof JsonObject json)) {
        return null;
      }
      node = json.getValue(member);
    }
    return node;
  }
}
