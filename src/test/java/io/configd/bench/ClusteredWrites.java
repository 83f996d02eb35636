package io.configd.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code writes --nodes K}: the same closed-loop writes through node 1 alone and then spread over all K clustered
 * nodes (one database), printed side by side. Every node is warmed by the same spread writes first, so that node 1
 * is not the only one past its JIT compilation when the two are compared.
 */
final class ClusteredWrites {

  /** Seconds of unmeasured writes spread over every node before the measured runs (C2 compiles the hot path). */
  static final double WARM_SECONDS = 15;

  private ClusteredWrites() {
  }

  static void warm(Vertx vertx, List<NodeUnderTest> nodes, BenchOptions options) {
    System.out.printf("%nwarming %d nodes: %s s of PUTs at concurrency %d spread round-robin over them, not measured%n",
        nodes.size(), WARM_SECONDS, options.writeConcurrency());
    WritesScenario writes = new WritesScenario(vertx, nodes, options);
    AtomicLong sequence = new AtomicLong();
    ClosedLoop.run(vertx, options.writeConcurrency(), WARM_SECONDS, 0, () -> writes.put(sequence.getAndIncrement()), 200);
    System.out.printf("warmed: %,d writes sent%n", sequence.get());
  }

  /** Aggregate writes/s and p99 of the spread run beside node 1's alone, and their ratio. */
  static JsonObject compare(String name, int nodes, JsonObject one, JsonObject spread) {
    double oneRate = one.getLong("throughputPerSecond");
    double spreadRate = spread.getLong("throughputPerSecond");
    double oneP99 = one.getJsonObject("latencyMs").getDouble("p99", Double.NaN);
    double spreadP99 = spread.getJsonObject("latencyMs").getDouble("p99", Double.NaN);
    System.out.println();
    System.out.println("== " + name + ": " + nodes + " clustered nodes beside node 1 alone, same run, both warmed  (load "
        + Report.loadAverage() + ")");
    System.out.printf("  %-34s %14s %14s %10s%n", "figure", "node 1 alone", nodes + " nodes", "ratio");
    System.out.printf("  %-34s %14s %14s %10s%n", "durable writes/s (aggregate)", String.format(Locale.ROOT, "%,.0f", oneRate),
        String.format(Locale.ROOT, "%,.0f", spreadRate), String.format(Locale.ROOT, "%.2f", spreadRate / oneRate));
    System.out.printf("  %-34s %14s %14s %10s%n", "write p99 ms", Report.ms(oneP99), Report.ms(spreadP99),
        String.format(Locale.ROOT, "%.2f", spreadP99 / oneP99));
    return new JsonObject().put("nodes", nodes).put("oneNodeWritesPerSecond", oneRate)
        .put("aggregateWritesPerSecond", spreadRate).put("ratio", Math.round(spreadRate / oneRate * 1000) / 1000.0)
        .put("oneNodeP99Ms", oneP99).put("clusteredP99Ms", spreadP99);
  }
}
