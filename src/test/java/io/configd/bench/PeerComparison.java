package io.configd.bench;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** configd and its peer side by side, from the figures of one run: writes/s and p99, propagation p99, the ratios. */
final class PeerComparison {

  private final Map<Integer, JsonObject[]> writes = new TreeMap<>();
  private final Map<Integer, JsonObject[]> propagation = new TreeMap<>();

  void configdWrites(int concurrency, JsonObject result) {
    writes.computeIfAbsent(concurrency, c -> new JsonObject[2])[0] = result;
  }

  void etcdWrites(int concurrency, JsonObject result) {
    writes.computeIfAbsent(concurrency, c -> new JsonObject[2])[1] = result;
  }

  void configdPropagation(int subscribers, JsonObject result) {
    propagation.computeIfAbsent(subscribers, n -> new JsonObject[2])[0] = result;
  }

  void etcdPropagation(int subscribers, JsonObject result) {
    propagation.computeIfAbsent(subscribers, n -> new JsonObject[2])[1] = result;
  }

  JsonObject print() {
    JsonObject json = new JsonObject();
    System.out.println();
    System.out.println("== configd and etcd, same run  (load " + Report.loadAverage() + " at the end)");
    System.out.printf("  %-44s %14s %14s %12s%n", "figure", "configd", "etcd", "configd/etcd");
    writes.forEach((c, pair) -> {
      if (pair[0] != null && pair[1] != null) {
        double a = pair[0].getLong("throughputPerSecond");
        double b = pair[1].getLong("throughputPerSecond");
        line(json, "writesPerSecondC" + c, "durable writes/s, concurrency " + c, a, b, "%,.0f");
        line(json, "writeP99MsC" + c, "write p99 ms, concurrency " + c, p99(pair[0]), p99(pair[1]), "%.1f");
      }
    });
    propagation.forEach((n, pair) -> {
      if (pair[0] != null && pair[1] != null) {
        line(json, "propagationP99Ms" + n, String.format("propagation p99 ms from the 200, %,d watchers", n),
            pair[0].getJsonObject("latencyMs").getJsonObject("fromPutAnswer").getDouble("p99", Double.NaN),
            pair[1].getJsonObject("latencyMs").getJsonObject("fromPutAnswer").getDouble("p99", Double.NaN), "%.1f");
        line(json, "delivered" + n, String.format("delivered / expected, %,d watchers", n),
            ratio(pair[0]), ratio(pair[1]), "%.4f");
      }
    });
    return json;
  }

  private static double p99(JsonObject result) {
    return result.getJsonObject("latencyMs").getDouble("p99", Double.NaN);
  }

  private static double ratio(JsonObject result) {
    long expected = result.getLong("expected", 0L);
    return expected == 0 ? Double.NaN : result.getLong("delivered", 0L) / (double) expected;
  }

  private static void line(JsonObject json, String key, String label, double configd, double etcd, String format) {
    double ratio = configd / etcd;
    json.put(key, new JsonObject().put("configd", configd).put("etcd", etcd).put("ratio", Math.round(ratio * 1000) / 1000.0));
    System.out.printf("  %-44s %14s %14s %12s%n", label, String.format(Locale.ROOT, format, configd),
        String.format(Locale.ROOT, format, etcd), String.format(Locale.ROOT, "%.2f", ratio));
  }
}
