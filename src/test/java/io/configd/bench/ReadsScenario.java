package io.configd.bench;

import io.configd.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * GET at concurrency C for T seconds per variant, each meant to exercise one tier of the read path, and each
 * checked against the node's own tier counters (/v1/stats/cache, before and after the measured seconds), because a
 * figure for the wrong tier is worse than none:
 * <ul>
 *   <li>{@code hot}: a few keys on the main node, near-cache hits;</li>
 *   <li>{@code ceiling}: a plain Vert.x HTTP server of the bench's own ({@link CeilingServer}, a JVM of its own with
 *       as many instances as the node's API) answering a fixed body of a hot answer's size: the most this stack
 *       gives on this machine; hot reads are printed as a fraction of it;</li>
 *   <li>{@code cold}: on a node of its own with the near cache off and a Redis namespace no node used before, each
 *       cold key read once: every GET misses Redis and reads PostgreSQL (the run ends early when the keys run out);</li>
 *   <li>{@code redis}: then, on that node, the keys the cold variant read, now in Redis: Redis hits;</li>
 *   <li>{@code redis-down} and {@code redis-down-hot}: a node with the near cache off pointed at a redis-server of the
 *       bench's own (spare port, no persistence), warmed, then that server is killed by PID: reads fall back to
 *       PostgreSQL; cold keys at random, then the hot keys (PostgreSQL on every read, as before the cache).</li>
 * </ul>
 * The shared Redis on 6379 is never stopped.
 */
final class ReadsScenario {

  static final List<String> VARIANTS = List.of("hot", "ceiling", "cold", "redis", "redis-down", "redis-down-hot");
  private static final String HOT = "bench.r.hot.k";
  private static final String COLD = "bench.r.cold.k";

  /** Starts a node of the bench's own with these settings on top of the bench's. */
  interface NodeStarter {
    NodeUnderTest start(String name, Map<String, String> overrides) throws IOException;
  }

  /** The tier a variant claims to measure, and how the node's counters prove it. */
  enum Tier {
    NEAR("near cache"), REDIS("Redis (near cache off)"), POSTGRESQL("PostgreSQL (near cache off, Redis miss)"),
    REDIS_DOWN("PostgreSQL (near cache off, Redis stopped)");

    final String label;

    Tier(String label) {
      this.label = label;
    }
  }

  private final Vertx vertx;
  private final NodeUnderTest main;
  private final NodeStarter starter;
  private final BenchOptions options;
  private final JsonObject figures = new JsonObject();
  private final List<String> summary = new ArrayList<>();
  private boolean ok = true;
  private double hotThroughput = -1;

  /** {@code starter} is null when the bench measures a node it did not start (--url): only {@code hot} runs then. */
  ReadsScenario(Vertx vertx, NodeUnderTest main, NodeStarter starter, BenchOptions options) {
    this.vertx = vertx;
    this.main = main;
    this.starter = starter;
    this.options = options;
  }

  boolean run(Report report) throws IOException {
    JsonObject result = report.scenario("reads", String.format("GET at concurrency %d, %s s per variant (%s)",
        options.readConcurrency(), options.readSeconds(), String.join(", ", options.readVariants())));
    result.put("concurrency", options.readConcurrency()).put("seconds", options.readSeconds())
        .put("warmupSeconds", options.warmupSeconds()).put("variants", figures);
    seed(HOT, options.hotKeys());
    if (wants("cold", "redis", "redis-down")) {
      seed(COLD, options.coldKeys());
    }
    Report.latencyHeader("ms");
    if (wants("hot")) {
      measure("hot", Tier.NEAR, main, options.hotKeys(), random(HOT, options.hotKeys()));
    }
    if (wants("ceiling")) {
      ceiling();
    }
    if (wants("cold", "redis")) {
      nearCacheOff();
    }
    if (wants("redis-down", "redis-down-hot")) {
      redisStopped();
    }
    Report.row("throughput", String.join(", ", summary));
    return ok;
  }

  private boolean wants(String... variants) {
    for (String variant : variants) {
      if (options.readVariants().contains(variant)) {
        return true;
      }
    }
    return false;
  }

  private boolean canStartNodes(String variant) {
    if (starter == null) {
      Report.row(variant, "skipped: it needs a node of the bench's own (not with --url)");
      figures.put(variant, new JsonObject().put("skipped", "needs a node of the bench's own"));
      return false;
    }
    return true;
  }

  /** cold, then redis, on one node with the near cache off and a Redis namespace nobody used before. */
  private void nearCacheOff() throws IOException {
    if (!canStartNodes("cold/redis")) {
      return;
    }
    String namespace = options.schema() + ":fresh" + System.currentTimeMillis() + ":";
    NodeUnderTest node = starter.start(options.schema() + "-nearoff", Map.of(
        "CONFIGD_CACHE_NEAR_MAX_ENTRIES", "0", "CONFIGD_REDIS_NAMESPACE", namespace));
    try {
      int[] order = shuffled(options.coldKeys());
      AtomicInteger cursor = new AtomicInteger();
      // Warm the fresh JVM on the same path (a fifth of the keys at most), then read every other key once.
      ClosedLoop.run(vertx, options.readConcurrency(), 0, options.warmupSeconds(),
          once(node, order, cursor, options.coldKeys() / 5), 200);
      if (wants("cold")) {
        measure("cold", Tier.POSTGRESQL, node, options.coldKeys() - cursor.get(), once(node, order, cursor, order.length), false);
      }
      if (wants("redis")) {
        if (cursor.get() == 0) {
          ClosedLoop.run(vertx, options.readConcurrency(), 0, 3600, once(node, order, cursor, order.length), 200);
        }
        int read = Math.min(cursor.get(), order.length);
        measure("redis", Tier.REDIS, node, read, () -> get(node, COLD + order[ThreadLocalRandom.current().nextInt(read)]));
      }
    } finally {
      node.stop();
    }
  }

  /** redis-down and redis-down-hot: a node pointed at a redis-server of the bench's own, which is killed by PID. */
  private void redisStopped() throws IOException {
    if (!canStartNodes("redis-down")) {
      return;
    }
    if (!OwnRedis.available()) {
      Report.row("redis-down", "skipped: no redis-server on the PATH to start one of the bench's own");
      figures.put("redis-down", new JsonObject().put("skipped", "no redis-server on the PATH"));
      ok = false;
      return;
    }
    OwnRedis redis = OwnRedis.start(options.out().resolve("redis-" + System.currentTimeMillis() + ".log"));
    try {
      NodeUnderTest node = starter.start(options.schema() + "-redisdown", Map.of(
          "CONFIGD_CACHE_NEAR_MAX_ENTRIES", "0", "CONFIGD_REDIS_URI", redis.uri()));
      try {
        Supplier<Future<Integer>> cold = random(node, COLD, options.coldKeys());
        Supplier<Future<Integer>> hot = random(node, HOT, options.hotKeys());
        JsonObject beforeWarm = cacheStats(node);
        ClosedLoop.run(vertx, options.readConcurrency(), 0, options.warmupSeconds(), cold, 200);
        ClosedLoop.run(vertx, options.readConcurrency(), 0, options.warmupSeconds(), hot, 200);
        JsonObject warmed = delta(beforeWarm, cacheStats(node));
        Report.row("redis-down: warm-up, Redis up", counters(warmed));
        redis.kill();
        // The first second after the kill: broken pooled connections, then the breaker opens. Reported, not mixed in.
        JsonObject beforeKill = cacheStats(node);
        ClosedLoop.Outcome transition = ClosedLoop.run(vertx, options.readConcurrency(), 0, 1, cold, 200);
        JsonObject transitionCounters = delta(beforeKill, cacheStats(node));
        JsonObject transitionLatency = Report.latencyRow("redis-down: first 1 s after the kill", transition.micros());
        Report.row("  tier counters (Δ)", counters(transitionCounters));
        figures.put("redis-down-transition", new JsonObject().put("latencyMs", transitionLatency)
            .put("ok", transition.ok()).put("errors", transition.errors()).put("cacheDelta", transitionCounters)
            .put("warmupCacheDelta", warmed).put("redisPid", redis.pid()));
        if (wants("redis-down")) {
          measure("redis-down", Tier.REDIS_DOWN, node, options.coldKeys(), cold, false);
        }
        if (wants("redis-down-hot")) {
          measure("redis-down-hot", Tier.REDIS_DOWN, node, options.hotKeys(), hot, true);
        }
      } finally {
        node.stop();
      }
    } finally {
      redis.kill();
    }
  }

  /** The plain Vert.x server, measured like the hot variant, on a body of the hot answer's size. */
  private void ceiling() throws IOException {
    // the node encodes compactly, in the order the JSON object holds: re-encoding gives the answer's own length
    int bodyBytes = main.getJson("/v1/config/" + HOT + "0?env=" + options.env()).encode().length();
    int instances = Integer.parseInt(System.getenv().getOrDefault("CONFIGD_HTTP_INSTANCES", "2")); // the node's http.instances
    int port = TestServices.freePort();
    Path log = options.out().resolve("ceiling-" + System.currentTimeMillis() + ".log");
    Process server = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"), CeilingServer.class.getName(),
        String.valueOf(port), String.valueOf(bodyBytes), String.valueOf(instances)))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    io.vertx.core.http.HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    Supplier<Future<Integer>> request = () -> client.request(HttpMethod.GET, "/v1/config/ceiling")
        .compose(req -> req.send())
        .compose(response -> response.body().map(ignored -> response.statusCode()));
    try {
      io.configd.Eventually.await("the ceiling server on port " + port + " to answer", java.time.Duration.ofSeconds(30),
          () -> NodeUnderTest.await(request.get(), 5, "GET the ceiling server") == 200);
      ClosedLoop.run(vertx, options.readConcurrency(), 0, options.warmupSeconds(), request, 200);
      String load = Report.loadAverage();
      ClosedLoop.Outcome outcome = ClosedLoop.run(vertx, options.readConcurrency(), 0, options.readSeconds(), request, 200);
      JsonObject latency = Report.latencyRow("ceiling (plain Vert.x, " + bodyBytes + " B body)", outcome.micros());
      String fraction = hotThroughput < 0 ? "" : String.format(Locale.ROOT, "; hot reads are %.0f %% of it",
          100 * hotThroughput / outcome.throughput());
      Report.row("  " + String.format(Locale.ROOT, "%,.0f GET/s", outcome.throughput()), String.format(Locale.ROOT,
          "over %.1f s, %d errors, load %s, %d instances%s", outcome.seconds(), outcome.errors(), load, instances, fraction));
      figures.put("ceiling", new JsonObject().put("throughputPerSecond", Math.round(outcome.throughput()))
          .put("bodyBytes", bodyBytes).put("instances", instances).put("errors", outcome.errors())
          .put("loadAverage", load).put("latencyMs", latency)
          .put("hotFraction", hotThroughput < 0 ? null : hotThroughput / outcome.throughput()));
      summary.add(String.format(Locale.ROOT, "ceiling %,.0f GET/s", outcome.throughput()));
      ok &= outcome.errors() == 0 && outcome.ok() > 0;
    } finally {
      client.close();
      server.destroy();
    }
  }

  private void measure(String name, Tier tier, NodeUnderTest node, int keys, Supplier<Future<Integer>> request) {
    measure(name, tier, node, keys, request, true);
  }

  /** Optionally warms, then measures with the node's tier counters read just before and just after. */
  private void measure(String name, Tier tier, NodeUnderTest node, int keys, Supplier<Future<Integer>> request,
                       boolean warm) {
    if (warm) {
      ClosedLoop.run(vertx, options.readConcurrency(), 0, options.warmupSeconds(), request, 200);
    }
    String load = Report.loadAverage();
    JsonObject before = cacheStats(node);
    ClosedLoop.Outcome outcome = ClosedLoop.run(vertx, options.readConcurrency(), 0, options.readSeconds(), request, 200);
    JsonObject counters = delta(before, cacheStats(node));
    JsonObject latency = Report.latencyRow(name + " (" + String.format("%,d", keys) + " keys)", outcome.micros());
    long requests = outcome.ok() + outcome.errors();
    String check = verify(tier, counters, requests);
    boolean verified = check.startsWith("verified");
    Report.row("  " + String.format(Locale.ROOT, "%,.0f GET/s", outcome.throughput()), String.format(Locale.ROOT,
        "over %.1f s%s, %d errors, %d unanswered, load %s, node %s", outcome.seconds(),
        outcome.ranOut() ? " (every key read once)" : "", outcome.errors(), outcome.unanswered(), load, node.name()));
    Report.row("  tier counters (Δ)", counters(counters));
    Report.row("  tier: " + tier.label, check);
    figures.put(name, new JsonObject().put("tier", tier.label).put("tierVerified", verified).put("tierCheck", check)
        .put("node", node.name()).put("keys", keys).put("throughputPerSecond", Math.round(outcome.throughput()))
        .put("seconds", outcome.seconds()).put("ranOutOfKeys", outcome.ranOut()).put("ok", outcome.ok())
        .put("errors", outcome.errors()).put("unanswered", outcome.unanswered()).put("loadAverage", load).put("cacheDelta", counters).put("latencyMs", latency));
    summary.add(String.format(Locale.ROOT, "%s %,.0f GET/s%s", name, outcome.throughput(), verified ? "" : " (WRONG TIER)"));
    if (name.equals("hot")) {
      hotThroughput = outcome.throughput();
    }
    ok &= verified && outcome.errors() == 0 && outcome.unanswered() == 0 && outcome.ok() > 0;
  }

  /** Whether the counters show that the GETs were answered by the tier claimed; says what they show either way. */
  static String verify(Tier tier, JsonObject d, long requests) {
    long near = d.getJsonObject("near").getLong("hits", 0L);
    long redisHits = d.getJsonObject("redis").getLong("hits", 0L);
    long redisMisses = d.getJsonObject("redis").getLong("misses", 0L);
    long redisFailed = d.getJsonObject("redis").getLong("errors", 0L) + d.getJsonObject("redis").getLong("skipped", 0L);
    long pg = d.getJsonObject("postgresql").getLong("reads", 0L);
    double n = Math.max(1, requests);
    String shares = String.format(Locale.ROOT, "of %,d GETs: near hits %.1f %%, Redis hits %.1f %%, PostgreSQL reads %.1f %%",
        requests, 100 * near / n, 100 * redisHits / n, 100 * pg / n);
    boolean right = switch (tier) {
      case NEAR -> near >= 0.99 * requests;
      case REDIS -> near == 0 && redisHits >= 0.95 * requests && pg <= 0.01 * requests;
      case POSTGRESQL -> near == 0 && redisHits == 0 && redisMisses >= 0.95 * requests && pg >= 0.95 * requests;
      // Concurrent GETs of one key share a read in flight, so PostgreSQL reads may be fewer than GETs (hot keys).
      case REDIS_DOWN -> near == 0 && redisHits == 0 && pg > 0 && redisFailed > 0;
    };
    return (right ? "verified, " : "NOT VERIFIED (this figure is not for the tier claimed), ") + shares;
  }

  private JsonObject cacheStats(NodeUnderTest node) {
    return node.getJson("/v1/stats/cache");
  }

  /** after − before for every counter of the near, redis, postgresql and fallbacks sections. */
  static JsonObject delta(JsonObject before, JsonObject after) {
    JsonObject delta = new JsonObject();
    for (String section : List.of("near", "redis", "postgresql", "fallbacks")) {
      JsonObject a = after.getJsonObject(section, new JsonObject());
      JsonObject b = before.getJsonObject(section, new JsonObject());
      JsonObject d = new JsonObject();
      for (String field : a.fieldNames()) {
        if (a.getValue(field) instanceof Number value && !field.equals("size") && !field.equals("invalidationBacklog")) {
          Object old = b.getValue(field);
          d.put(field, value.longValue() - (old instanceof Number o ? o.longValue() : 0));
        }
      }
      delta.put(section, d);
    }
    delta.put("breakerAtEnd", after.getJsonObject("redis", new JsonObject()).getJsonObject("breaker"));
    return delta;
  }

  private static String counters(JsonObject d) {
    JsonObject near = d.getJsonObject("near");
    JsonObject redis = d.getJsonObject("redis");
    return String.format(Locale.ROOT, "near hits %,d misses %,d | Redis hits %,d misses %,d errors %,d (timeouts %,d) "
            + "skipped %,d | PostgreSQL reads %,d | Redis→PostgreSQL fallbacks %,d",
        near.getLong("hits", 0L), near.getLong("misses", 0L), redis.getLong("hits", 0L), redis.getLong("misses", 0L),
        redis.getLong("errors", 0L), redis.getLong("timeouts", 0L), redis.getLong("skipped", 0L), d.getJsonObject("postgresql").getLong("reads", 0L),
        d.getJsonObject("fallbacks").getLong("redisToPostgresql", 0L));
  }

  private Supplier<Future<Integer>> random(String prefix, int keys) {
    return random(main, prefix, keys);
  }

  private Supplier<Future<Integer>> random(NodeUnderTest node, String prefix, int keys) {
    return () -> get(node, prefix + ThreadLocalRandom.current().nextInt(keys));
  }

  /** Each key of {@code order} once, up to position {@code limit}; null (no more work) after that. */
  private Supplier<Future<Integer>> once(NodeUnderTest node, int[] order, AtomicInteger cursor, int limit) {
    return () -> {
      int at = cursor.getAndUpdate(i -> i < limit ? i + 1 : i);
      return at < limit ? get(node, COLD + order[at]) : null;
    };
  }

  private static int[] shuffled(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random();
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Writes the keys once; a later run against the same schema finds the last one and skips this. */
  private void seed(String prefix, int keys) {
    if (NodeUnderTest.await(get(main, prefix + (keys - 1)), 60, "GET " + prefix + (keys - 1)) == 200) {
      return;
    }
    long start = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      workers.add(seedNext(prefix, keys, next));
    }
    NodeUnderTest.await(Future.all(workers), 1800, "seeding " + prefix + "*");
    Report.row("seeded " + prefix + "*", String.format("%,d keys in %.1f s", keys, (System.nanoTime() - start) / 1e9));
  }

  private Future<Void> seedNext(String prefix, int keys, AtomicInteger next) {
    int index = next.getAndIncrement();
    if (index >= keys) {
      return Future.succeededFuture();
    }
    String body = new JsonObject().put("value", new JsonObject().put("key", index).put("pad", "x".repeat(64))).encode();
    return main.call(HttpMethod.PUT, "/v1/config/" + prefix + index + "?env=" + options.env(), body)
        .compose(answer -> answer.status() / 100 == 2 ? seedNext(prefix, keys, next)
            : Future.failedFuture("seeding " + prefix + index + " answered " + answer.status() + ": " + answer.body()));
  }

  private Future<Integer> get(NodeUnderTest node, String key) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setConnectTimeout(10_000).setIdleTimeout(30_000)
        .setURI("/v1/config/" + key + "?env=" + options.env());
    return node.http().request(node.authorized(request))
        .compose(req -> req.send())
        .compose(response -> response.body().map(ignored -> response.statusCode()));
  }
}
