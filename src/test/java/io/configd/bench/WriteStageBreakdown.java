package io.configd.bench;

import io.configd.store.WriteStages;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Where a write's time goes inside the node during one scenario: the node's stage counts (GET /v1/stats/writes,
 * cumulative) read before and after it, and their difference printed per stage (p50, p90, p99 in ms, each the upper
 * bound of its quarter-octave bucket); the writes and txn scenarios read them after their warm-up.
 */
final class WriteStageBreakdown {

  private final NodeUnderTest node;
  private final JsonObject before;

  private WriteStageBreakdown(NodeUnderTest node, JsonObject before) {
    this.node = node;
    this.before = before;
  }

  /** Reads the node's stage counts now; a node without them (an older build) gives an empty breakdown. */
  static WriteStageBreakdown start(NodeUnderTest node) {
    return new WriteStageBreakdown(node, stages(node));
  }

  /** Prints the stages since {@link #start} and returns them. */
  JsonObject print() {
    JsonObject after = stages(node);
    JsonObject json = new JsonObject();
    if (after.isEmpty()) {
      return json;
    }
    System.out.printf("  %-40s %9s %9s %9s %9s%n", "in the node, per write (ms)", "samples", "p50", "p90", "p99");
    for (WriteStages.Stage stage : WriteStages.Stage.values()) {
      JsonArray was = before.getJsonObject(stage.wire(), new JsonObject()).getJsonArray("buckets", new JsonArray());
      JsonArray now = after.getJsonObject(stage.wire(), new JsonObject()).getJsonArray("buckets", new JsonArray());
      long[] buckets = new long[now.size()];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = now.getLong(i) - (i < was.size() ? was.getLong(i) : 0);
      }
      JsonObject figures = WriteStages.figures(buckets);
      figures.remove("buckets");
      json.put(stage.wire(), figures);
      long samples = figures.getLong("samples");
      System.out.printf("  %-40s %9d %9s %9s %9s%n", stage.wire(), samples,
          samples == 0 ? "-" : Report.ms(figures.getDouble("p50")), samples == 0 ? "-" : Report.ms(figures.getDouble("p90")),
          samples == 0 ? "-" : Report.ms(figures.getDouble("p99")));
    }
    return json;
  }

  private static JsonObject stages(NodeUnderTest node) {
    try {
      return node.getJson("/v1/stats/writes").getJsonObject("stages", new JsonObject());
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }
}
