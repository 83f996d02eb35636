package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;

/** Durable writes: PUTs at concurrency C, each answered only after its transaction committed. */
final class WritesScenario {

  static final int KEYS = 1000;

  private final Vertx vertx;
  private final NodeUnderTest node;
  private final BenchOptions options;

  WritesScenario(Vertx vertx, NodeUnderTest node, BenchOptions options) {
    this.vertx = vertx;
    this.node = node;
    this.options = options;
  }

  /** The figures of the last run (for the comparison with a peer). */
  JsonObject result;

  boolean run(Report report) {
    return run(report, "writes");
  }

  boolean run(Report report, String name) {
    JsonObject result = report.scenario(name, String.format("durable PUT at concurrency %d for %s s over %d keys",
        options.writeConcurrency(), options.writeSeconds(), KEYS));
    this.result = result;
    result.put("concurrency", options.writeConcurrency()).put("seconds", options.writeSeconds())
        .put("warmupSeconds", options.warmupSeconds()).put("keys", KEYS);
    AtomicLong sequence = new AtomicLong();
    WriteStageBreakdown stages = WriteStageBreakdown.start(node);
    ClosedLoop.Outcome outcome = ClosedLoop.run(vertx, options.writeConcurrency(), options.warmupSeconds(),
        options.writeSeconds(), () -> put(sequence.getAndIncrement()), 200);
    outcome.report(result, String.format("%,.0f writes/s", outcome.throughput()), "PUT send → 200");
    result.put("stagesInTheNode", stages.print());
    JsonObject stats = node.stats();
    JsonObject pipeline = stats.getJsonObject("writes");
    if (pipeline != null) { // warm-up included: how well the writes shared a commit, and how long a commit took
      JsonObject shown = pipeline.copy();
      shown.remove("batchSizes");
      result.put("writePipelineAtEnd", pipeline);
      Report.row("write pipeline at the end", shown.encode());
    }
    JsonObject publisher = stats.getJsonObject("publisher");
    if (publisher != null) {
      result.put("publisherAtEnd", publisher);
      Report.row("publisher at the end", publisher.encode());
    }
    return outcome.clean();
  }

  private Future<Integer> put(long n) {
    return node.call(HttpMethod.PUT, "/v1/config/bench.w.k" + (n % KEYS) + "?env=" + options.env(),
            "{\"value\":{\"n\":" + n + "}}")
        // a key's first write creates it (201); both are a durable write
        .map(response -> response.status() == 201 ? 200 : response.status());
  }
}
