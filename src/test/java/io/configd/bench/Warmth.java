package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How warm each node was for a measured run: its uptime when the run started, and the JIT compile time spent before
 * (in the warm-up) and during it. A JVM node compiles its hot path for its first minute or two under load (its C2
 * threads took about half of the node's CPU in the first 60 s of a write run), so a figure taken during that time
 * measures the compiler as much as the node; the row says which it was.
 */
final class Warmth {

  /** The settling warm-up's step, and the JIT compile time per step (summed over compiler threads) that ends it. */
  static final double SETTLE_STEP_SECONDS = 10;
  static final double SETTLED_JIT_SHARE = 0.05;

  private Warmth() {
  }

  /**
   * A closed loop of {@code request} at {@code concurrency}: {@code warmupSeconds} unmeasured, then up to
   * {@code settleSeconds} more in steps of {@link #SETTLE_STEP_SECONDS} until a step in which no node's JIT compiled
   * more than {@link #SETTLED_JIT_SHARE} of it, then {@code seconds} measured, with node 1's write stages, the nodes'
   * CPU (and per answered request) and their warmth taken over the measured part only; the outcome is reported first
   * ({@code rate} its throughput row, {@code latencyLabel} its latency's).
   */
  static ClosedLoop.Outcome measuredWrites(Vertx vertx, List<NodeUnderTest> nodes, int concurrency, double warmupSeconds,
                                          double settleSeconds, double seconds, Supplier<Future<Integer>> request,
                                          JsonObject result, Function<ClosedLoop.Outcome, String> rate,
                                          String latencyLabel) {
    List<JsonObject> fresh = jvms(nodes);
    if (warmupSeconds > 0) {
      ClosedLoop.run(vertx, concurrency, warmupSeconds, 0, request, 200);
    }
    List<JsonObject> warmed = jvms(nodes);
    // A fixed warm-up is too short at low concurrency (at c16 a node still compiled 5.3 s in the 10 s after a 90 s
    // warm-up; at c64 0.1 s after 190 s): go on until a step finds the node past its compilation, or the bound.
    double settled = 0;
    while (settled < settleSeconds) {
      double step = Math.min(SETTLE_STEP_SECONDS, settleSeconds - settled);
      ClosedLoop.run(vertx, concurrency, step, 0, request, 200);
      settled += step;
      List<JsonObject> after = jvms(nodes);
      boolean compiling = false;
      for (int i = 0; i < nodes.size(); i++) {
        compiling |= after.get(i).getLong("jitMillis", 0L) - warmed.get(i).getLong("jitMillis", 0L)
            > SETTLED_JIT_SHARE * step * 1000;
      }
      warmed = after;
      if (!compiling) {
        break;
      }
    }
    result.put("settleSeconds", settled);
    Report.row("warm-up", String.format("%.0f s, then %.0f s more until a %.0f s step compiled at most %.0f %% of it "
        + "(bound %.0f s)", warmupSeconds, settled, SETTLE_STEP_SECONDS, SETTLED_JIT_SHARE * 100, settleSeconds));
    WriteStageBreakdown stages = WriteStageBreakdown.start(nodes.get(0));
    CpuUsage cpu = CpuUsage.start(nodes.stream().mapToLong(NodeUnderTest::pid).toArray());
    PgWaits waits = PgWaits.start(vertx, nodes);
    ClosedLoop.Outcome outcome = ClosedLoop.run(vertx, concurrency, 0, seconds, request, 200);
    JsonObject used = cpu.usage();
    outcome.report(result, rate.apply(outcome), latencyLabel);
    cpu.print(used);
    if (waits != null) {
      result.put("postgresqlDuringWrites", waits.stop());
    }
    report(result, nodes, warmupSeconds + settled, fresh, warmed, jvms(nodes));
    result.put("cpuDuringWrites", used).put("stagesInTheNode", stages.print()); // with clustered nodes: node 1's
    cpu.perAnswered(used, outcome.ok() + outcome.errors());
    return outcome;
  }

  /** Each node's {@code GET /v1/stats/jvm} now. */
  static List<JsonObject> jvms(List<NodeUnderTest> nodes) {
    return nodes.stream().map(each -> each.getJson("/v1/stats/jvm")).toList();
  }

  /** One row per node, and the figures under {@code warmth} in {@code result}. */
  static JsonObject report(JsonObject result, List<NodeUnderTest> nodes, double warmupSeconds, List<JsonObject> fresh,
                           List<JsonObject> warmed, List<JsonObject> end) {
    JsonObject warmth = new JsonObject().put("warmupSeconds", warmupSeconds);
    for (int i = 0; i < nodes.size(); i++) {
      long up = warmed.get(i).getLong("uptimeMs", -1L);
      long inWarmup = warmed.get(i).getLong("jitMillis", 0L) - fresh.get(i).getLong("jitMillis", 0L);
      long during = end.get(i).getLong("jitMillis", 0L) - warmed.get(i).getLong("jitMillis", 0L);
      // the collector's pauses stop every event loop at once: each one lands on the writes in flight
      long collections = end.get(i).getLong("gcCount", 0L) - warmed.get(i).getLong("gcCount", 0L);
      long collecting = end.get(i).getLong("gcMillis", 0L) - warmed.get(i).getLong("gcMillis", 0L);
      warmth.put(nodes.get(i).name(), new JsonObject().put("uptimeAtFirstMeasuredWriteMs", up)
          .put("jitMillisInWarmup", inWarmup).put("jitMillisDuringMeasuredWrites", during)
          .put("jitMillisTotal", end.get(i).getLong("jitMillis", 0L))
          .put("gcCountDuringMeasuredWrites", collections).put("gcMillisDuringMeasuredWrites", collecting));
      String of = nodes.size() > 1 ? " (" + nodes.get(i).name() + ")" : "";
      Report.row("warmth" + of, String.format(
          "node up %.0f s at the first measured write; JIT compiled %,d ms in the warm-up, %,d ms during the measured "
              + "writes (%,d ms since start)", up / 1000.0, inWarmup, during, end.get(i).getLong("jitMillis", 0L)));
      Report.row("GC during the measured writes" + of, String.format("%,d collections, %,d ms in all (%.1f ms each)",
          collections, collecting, collections == 0 ? 0.0 : (double) collecting / collections));
    }
    result.put("warmth", warmth);
    return warmth;
  }
}
