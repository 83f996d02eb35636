package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Atomic transactions: POST /v1/txn of 100 puts each (contiguous keys of 1,000), at concurrency C, closed loop. */
final class TxnScenario {

  static final int PUTS = 100;

  private final NodeUnderTest node;
  private final BenchOptions options;
  private final Vertx vertx;

  TxnScenario(Vertx vertx, NodeUnderTest node, BenchOptions options) {
    this.vertx = vertx;
    this.node = node;
    this.options = options;
  }

  boolean run(Report report, String name) {
    JsonObject result = report.scenario(name, String.format("POST /v1/txn of %d puts at concurrency %d for %s s over %d keys",
        PUTS, options.writeConcurrency(), options.writeSeconds(), WritesScenario.KEYS));
    AtomicLong sequence = new AtomicLong();
    ClosedLoop.Outcome outcome = Warmth.measuredWrites(vertx, List.of(node), options.writeConcurrency(),
        options.writeWarmupSeconds(), options.writeSettleSeconds(), options.writeSeconds(), () -> txn(sequence.getAndIncrement()), result,
        run -> String.format("%,.0f txn/s = %,.0f puts/s", run.throughput(), run.throughput() * PUTS),
        "POST /v1/txn send → 200");
    result.put("concurrency", options.writeConcurrency()).put("putsPerTxn", PUTS)
        .put("putsPerSecond", Math.round(outcome.throughput() * PUTS));
    return outcome.clean();
  }

  private Future<Integer> txn(long n) {
    StringBuilder ops = new StringBuilder("{\"ops\":[");
    for (int i = 0; i < PUTS; i++) {
      long key = (n * PUTS + i) % WritesScenario.KEYS;
      ops.append(i == 0 ? "" : ",").append("{\"op\":\"put\",\"key\":\"bench.t.k").append(key)
          .append("\",\"value\":{\"n\":").append(n).append("}}");
    }
    ops.append("]}");
    return node.call(HttpMethod.POST, "/v1/txn?env=" + options.env(), ops.toString())
        .map(NodeUnderTest.Response::status);
  }
}
