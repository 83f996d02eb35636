package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
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
    ClosedLoop.Outcome outcome = ClosedLoop.run(vertx, options.writeConcurrency(), options.warmupSeconds(),
        options.writeSeconds(), () -> put(sequence.getAndIncrement()), 200);
    Report.row("throughput", String.format("%,.0f writes/s (%,d answered 200, %d errors, %d unanswered)",
        outcome.throughput(), outcome.ok(), outcome.errors(), outcome.unanswered()));
    Report.latencyHeader("ms");
    result.put("throughputPerSecond", Math.round(outcome.throughput())).put("ok", outcome.ok())
        .put("errors", outcome.errors()).put("unanswered", outcome.unanswered()).put("latencyMs", Report.latencyRow("PUT send → 200", outcome.micros()));
    JsonObject publisher = node.stats().getJsonObject("publisher");
    if (publisher != null) {
      result.put("publisherAtEnd", publisher);
      Report.row("publisher at the end", publisher.encode());
    }
    return outcome.errors() == 0 && outcome.unanswered() == 0 && outcome.ok() > 0;
  }

  private Future<Integer> put(long n) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.PUT).setConnectTimeout(10_000).setIdleTimeout(30_000)
        .setURI("/v1/config/bench.w.k" + (n % KEYS) + "?env=" + options.env()).putHeader("Content-Type", "application/json");
    Buffer body = Buffer.buffer("{\"value\":{\"n\":" + n + "}}");
    return node.http().request(node.authorized(request))
        .compose(req -> req.send(body))
        .compose(response -> response.body().map(ignored -> response.statusCode()));
  }
}
