package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GET at concurrency C for T seconds per variant. Each variant is a set of keys read at random and
 * the tier it is meant to exercise; hot keys are near-cache hits and cold keys (a large keyspace read
 * uniformly) miss to PostgreSQL. The cache's variants slot into {@link #variants()}: near cache off
 * (the Redis tier) and Redis stopped (a redis-server of the bench's own on a spare port, killed by
 * PID; never the shared one on 6379).
 */
final class ReadsScenario {

  /** One way of reading: its name, the tier it measures, and the key of each request. */
  record Variant(String name, String tier, String keyPrefix, int keys) {
    String key(int index) {
      return keyPrefix + index;
    }
  }

  private final Vertx vertx;
  private final NodeUnderTest node;
  private final BenchOptions options;

  ReadsScenario(Vertx vertx, NodeUnderTest node, BenchOptions options) {
    this.vertx = vertx;
    this.node = node;
    this.options = options;
  }

  List<Variant> variants() {
    return List.of(
        new Variant("hot", "near-cache hit (no cache on this node yet: PostgreSQL)", "bench.r.hot.k", options.hotKeys()),
        new Variant("cold", "miss: PostgreSQL", "bench.r.cold.k", options.coldKeys()));
  }

  boolean run(Report report) {
    JsonObject result = report.scenario("reads", String.format("GET at concurrency %d, %s s per variant",
        options.readConcurrency(), options.readSeconds()));
    result.put("concurrency", options.readConcurrency()).put("seconds", options.readSeconds())
        .put("warmupSeconds", options.warmupSeconds());
    boolean ok = true;
    List<Variant> variants = variants();
    for (Variant variant : variants) {
      seed(variant);
    }
    // A fresh node's JIT is cold: without this the first variant measured pays for everyone's warm-up.
    for (Variant variant : variants) {
      ClosedLoop.run(vertx, options.readConcurrency(), 0, options.warmupSeconds(),
          () -> get(variant.key(ThreadLocalRandom.current().nextInt(variant.keys()))), 200);
    }
    Report.latencyHeader("ms");
    JsonObject figures = new JsonObject();
    List<String> throughput = new ArrayList<>();
    for (Variant variant : variants) {
      ClosedLoop.Outcome outcome = ClosedLoop.run(vertx, options.readConcurrency(), options.warmupSeconds(),
          options.readSeconds(), () -> get(variant.key(ThreadLocalRandom.current().nextInt(variant.keys()))), 200);
      JsonObject latency = Report.latencyRow(variant.name() + " (" + variant.keys() + " keys)", outcome.micros());
      figures.put(variant.name(), new JsonObject().put("tier", variant.tier()).put("keys", variant.keys())
          .put("throughputPerSecond", Math.round(outcome.throughput())).put("ok", outcome.ok())
          .put("errors", outcome.errors()).put("loadAverage", Report.loadAverage()).put("latencyMs", latency));
      throughput.add(String.format("%s %,.0f GET/s%s", variant.name(), outcome.throughput(),
          outcome.errors() > 0 ? " (" + outcome.errors() + " errors)" : ""));
      ok &= outcome.errors() == 0 && outcome.ok() > 0;
    }
    Report.row("throughput", String.join(", ", throughput));
    for (Variant variant : variants) {
      Report.row(variant.name() + " tier", variant.tier());
    }
    result.put("variants", figures);
    return ok;
  }

  /** Writes the variant's keys once; a later run against the same schema finds them and skips this. */
  private void seed(Variant variant) {
    if (NodeUnderTest.await(get(variant.key(variant.keys() - 1)), 60, "GET a " + variant.name() + " key") == 200) {
      return;
    }
    long start = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      workers.add(seedNext(variant, next));
    }
    NodeUnderTest.await(Future.all(workers), 1800, "seeding " + variant.name() + " keys");
    Report.row("seeded " + variant.name() + " keys", String.format("%,d in %.1f s", variant.keys(),
        (System.nanoTime() - start) / 1e9));
  }

  private Future<Void> seedNext(Variant variant, AtomicInteger next) {
    int index = next.getAndIncrement();
    if (index >= variant.keys()) {
      return Future.succeededFuture();
    }
    String body = new JsonObject().put("value", new JsonObject().put("key", index).put("pad", "x".repeat(64))).encode();
    return node.call(HttpMethod.PUT, "/v1/config/" + variant.key(index) + "?env=" + options.env(), body)
        .compose(answer -> answer.status() == 200 ? seedNext(variant, next)
            : Future.failedFuture("seeding " + variant.key(index) + " answered " + answer.status() + ": " + answer.body()));
  }

  private Future<Integer> get(String key) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setTimeout(30_000)
        .setURI("/v1/config/" + key + "?env=" + options.env());
    return node.http().request(node.authorized(request))
        .compose(req -> req.send())
        .compose(response -> response.body().map(ignored -> response.statusCode()));
  }
}
