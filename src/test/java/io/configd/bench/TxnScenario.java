package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
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
    ClosedLoop.Outcome outcome = ClosedLoop.run(vertx, options.writeConcurrency(), options.warmupSeconds(),
        options.writeSeconds(), () -> txn(sequence.getAndIncrement()), 200);
    Report.row("throughput", String.format("%,.0f txn/s = %,.0f puts/s (%,d answered 200, %d errors, %d unanswered)",
        outcome.throughput(), outcome.throughput() * PUTS, outcome.ok(), outcome.errors(), outcome.unanswered()));
    Report.latencyHeader("ms");
    result.put("concurrency", options.writeConcurrency()).put("putsPerTxn", PUTS)
        .put("throughputPerSecond", Math.round(outcome.throughput()))
        .put("putsPerSecond", Math.round(outcome.throughput() * PUTS)).put("ok", outcome.ok())
        .put("errors", outcome.errors()).put("unanswered", outcome.unanswered())
        .put("latencyMs", Report.latencyRow("POST /v1/txn send → 200", outcome.micros()));
    return outcome.errors() == 0 && outcome.unanswered() == 0 && outcome.ok() > 0;
  }

  private Future<Integer> txn(long n) {
    StringBuilder ops = new StringBuilder("{\"ops\":[");
    for (int i = 0; i < PUTS; i++) {
      long key = (n * PUTS + i) % WritesScenario.KEYS;
      ops.append(i == 0 ? "" : ",").append("{\"op\":\"put\",\"key\":\"bench.t.k").append(key)
          .append("\",\"value\":{\"n\":").append(n).append("}}");
    }
    ops.append("]}");
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setConnectTimeout(10_000).setIdleTimeout(30_000)
        .setURI("/v1/txn?env=" + options.env()).putHeader("Content-Type", "application/json");
    return node.http().request(node.authorized(request))
        .compose(req -> req.send(Buffer.buffer(ops.toString())))
        .compose(response -> response.body().map(ignored -> response.statusCode()));
  }
}
