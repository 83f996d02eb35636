package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable writes: PUTs at concurrency C, each answered only after its transaction committed; through one node, or
 * spread round-robin over clustered nodes that share one database.
 */
final class WritesScenario {

  static final int KEYS = 1000;

  private final Vertx vertx;
  private final List<NodeUnderTest> nodes;
  private final BenchOptions options;

  WritesScenario(Vertx vertx, NodeUnderTest node, BenchOptions options) {
    this(vertx, List.of(node), options);
  }

  WritesScenario(Vertx vertx, List<NodeUnderTest> nodes, BenchOptions options) {
    this.vertx = vertx;
    this.nodes = List.copyOf(nodes);
    this.options = options;
  }

  /** The figures of the last run (for the comparison with a peer). */
  JsonObject result;

  boolean run(Report report) {
    return run(report, "writes");
  }

  boolean run(Report report, String name) {
    JsonObject result = report.scenario(name, String.format("durable PUT at concurrency %d for %s s over %d keys%s",
        options.writeConcurrency(), options.writeSeconds(), KEYS,
        nodes.size() > 1 ? ", spread round-robin over " + nodes.size() + " clustered nodes" : ""));
    this.result = result;
    result.put("concurrency", options.writeConcurrency()).put("seconds", options.writeSeconds())
        .put("warmupSeconds", options.writeWarmupSeconds()).put("keys", KEYS).put("nodes", nodes.size());
    AtomicLong sequence = new AtomicLong();
    ClosedLoop.Outcome outcome = Warmth.measuredWrites(vertx, nodes, options.writeConcurrency(),
        options.writeWarmupSeconds(), options.writeSettleSeconds(), options.writeSeconds(), () -> put(sequence.getAndIncrement()), result,
        run -> String.format("%,.0f writes/s", run.throughput()), "PUT send → 200");
    JsonObject perNode = new JsonObject();
    for (NodeUnderTest node : nodes) {
      // one node's figures sit in the result itself; clustered nodes' under nodesAtEnd, by name
      JsonObject into = nodes.size() > 1 ? new JsonObject() : result;
      String of = nodes.size() > 1 ? " (" + node.name() + ")" : "";
      JsonObject stats = node.stats();
      JsonObject pipeline = stats.getJsonObject("writes");
      if (pipeline != null) { // warm-up included: how well the writes shared a commit, and how long a commit took
        JsonObject shown = pipeline.copy();
        shown.remove("batchSizes");
        into.put("writePipelineAtEnd", pipeline);
        Report.row("write pipeline at the end" + of, shown.encode());
      }
      JsonObject publisher = stats.getJsonObject("publisher");
      if (publisher != null) {
        into.put("publisherAtEnd", publisher);
        Report.row("publisher at the end" + of, publisher.encode());
      }
      perNode.put(node.name(), into);
    }
    if (nodes.size() > 1) {
      result.put("nodesAtEnd", perNode);
    }
    return outcome.clean();
  }

  /** The n-th PUT of the run, through node n mod K. */
  Future<Integer> put(long n) {
    return nodes.get((int) (n % nodes.size())).call(HttpMethod.PUT, "/v1/config/bench.w.k" + (n % KEYS) + "?env=" + options.env(),
            "{\"value\":{\"n\":" + n + "}}")
        // a key's first write creates it (201); both are a durable write
        .map(response -> response.status() == 201 ? 200 : response.status());
  }
}
