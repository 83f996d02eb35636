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

  private Warmth() {
  }

  /**
   * A closed loop of {@code request} at {@code concurrency}: {@code warmupSeconds} unmeasured, then {@code seconds}
   * measured, with node 1's write stages, the nodes' CPU (and per answered request) and their warmth taken over the
   * measured part only; the outcome is reported first ({@code rate} its throughput row, {@code latencyLabel} its latency's).
   */
  static ClosedLoop.Outcome measuredWrites(Vertx vertx, List<NodeUnderTest> nodes, int concurrency, double warmupSeconds,
                                          double seconds, Supplier<Future<Integer>> request, JsonObject result,
                                          Function<ClosedLoop.Outcome, String> rate, String latencyLabel) {
    List<JsonObject> fresh = jvms(nodes);
    if (warmupSeconds > 0) {
      ClosedLoop.run(vertx, concurrency, warmupSeconds, 0, request, 200);
    }
    List<JsonObject> warmed = jvms(nodes);
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
    report(result, nodes, warmupSeconds, fresh, warmed, jvms(nodes));
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
