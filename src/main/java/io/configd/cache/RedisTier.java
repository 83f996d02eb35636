package io.configd.cache;

import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier: {@code {ns}config:{key}:{env}} holds the entry as JSON (its {@code value} and {@code version}
 * among the other fields of the API's answer), {@code {ns}config:version:{key}:{env}} the newest version Redis
 * knows of the key. Every call has a short time limit that measures Redis itself (see {@link Deadline}) and goes through
 * the circuit breaker; fills and invalidations are Lua scripts that compare versions inside Redis, so an older version
 * never replaces a newer one. Calls are pipelined on one connection of their own, opened on first use and again after
 * it is lost: no pool queue stands in front of Redis. Invalidations go in rounds: one write of many scripts. The scripts
 * go by their SHA-1 ({@link LuaScript}), their text only when Redis answers that it does not hold them.
 */
final class RedisTier {

  /** Drops entries of the key older than {@code version}; with {@code announce}, tells every node over pub/sub. */
  record Invalidation(CacheKey key, int version, boolean announce) {
  }

  private static final Logger LOG = LoggerFactory.getLogger(RedisTier.class);

  /** KEYS: value, version. ARGV: version, entry JSON, TTL. Refuses a version older than the one Redis knows. */
  private static final LuaScript FILL = LuaScript.of("""
      local known = tonumber(redis.call('GET', KEYS[2]) or '0')
      if known > tonumber(ARGV[1]) then return 0 end
      redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
      redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
      return 1""");

  /**
   * KEYS: value, version. ARGV: version, TTL, channel, message. Drops the value when it is older than the committed
   * version and keeps that version as the high-water mark (deleting it too would let a late fill of an older version
   * back in), then announces the change to every node. The value key, when present, always holds the known version.
   */
  private static final LuaScript INVALIDATE = LuaScript.of("""
      local known = tonumber(redis.call('GET', KEYS[2]) or '0')
      if known < tonumber(ARGV[1]) then
        redis.call('DEL', KEYS[1])
        redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
      end
      if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
      return 1""");

  private final Vertx vertx;
  private final CacheSettings settings;
  private final CacheStats stats;
  private final Breaker breaker;
  private final Redis redis;
  private Future<RedisConnection> connection;

  RedisTier(Vertx vertx, CacheSettings settings, CacheStats stats, Breaker.Listener onBreakerChange) {
    this.vertx = vertx;
    this.settings = settings;
    this.stats = stats;
    this.breaker = new Breaker(settings.breakerFailures(), settings.breakerResetMs(), System::currentTimeMillis,
        onBreakerChange);
    // one connection held for the pipelined calls, one for the occasional CONFIG GET
    this.redis = Redis.createClient(vertx, options(settings).setMaxPoolSize(2));
  }

  static RedisOptions options(CacheSettings settings) {
    return new RedisOptions().setConnectionString(settings.redisUri())
        .setMaxPoolSize(16).setMaxPoolWaiting(256).setMaxWaitingHandlers(16_384)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(Math.max(settings.redisTimeoutMs(), 250))
            .setTcpNoDelay(true));
  }

  String channel() {
    return settings.namespace() + "configd:invalidations";
  }

  String valueKey(CacheKey key) {
    return settings.namespace() + "config:" + key.key() + ":" + key.env();
  }

  String versionKey(CacheKey key) {
    return settings.namespace() + "config:version:" + key.key() + ":" + key.env();
  }

  Breaker breaker() {
    return breaker;
  }

  /** The entry Redis holds, null when it holds none; fails when Redis is down, slow or the breaker is open. */
  Future<CachedEntry> get(CacheKey key) {
    return call(settings.redisTimeoutMs(), Request.cmd(Command.GET).arg(valueKey(key)))
        .map(response -> response == null ? null : CachedEntry.fromRedis(response.toString()));
  }

  /** Stores an entry unless Redis knows a newer version; true when stored. */
  Future<Boolean> fill(ConfigValue value) {
    return fill(CachedEntry.of(value));
  }

  /**
   * Stores an entry, as the bytes of its answer, unless Redis knows a newer version; true when stored. No reader waits
   * for a fill, so it gets the write path's time limit, not the read path's short one.
   */
  Future<Boolean> fill(CachedEntry entry) {
    CacheKey key = new CacheKey(entry.value().env(), entry.value().key());
    return call(settings.invalidationTimeoutMs(), conn -> LuaScript.run(byText -> conn.send(
            FILL.call(byText, 2).arg(valueKey(key)).arg(versionKey(key)).arg(entry.version()).arg(entry.body())
                .arg(settings.ttlSeconds()))))
        .map(response -> response.toInteger() == 1);
  }

  /**
   * The invalidations in one pipelined round: their scripts written to the connection at once, under one time limit,
   * one call for the breaker; fails when any of them failed (Redis runs each on its own). A round that met a Redis
   * without the script goes again whole, by text: a script that ran twice changes nothing the second time (the version
   * is known), and a node told twice of one version drops nothing more.
   */
  Future<Void> invalidate(List<Invalidation> invalidations) {
    return call(settings.invalidationTimeoutMs(),
        conn -> LuaScript.run(byText -> conn.batch(invalidationRequests(invalidations, byText)))).mapEmpty();
  }

  private List<Request> invalidationRequests(List<Invalidation> invalidations, boolean byText) {
    List<Request> requests = new ArrayList<>(invalidations.size());
    for (Invalidation invalidation : invalidations) {
      CacheKey key = invalidation.key();
      String message = new JsonObject().put("key", key.key()).put("env", key.env())
          .put("version", invalidation.version()).encode();
      requests.add(INVALIDATE.call(byText, 2).arg(valueKey(key)).arg(versionKey(key))
          .arg(invalidation.version()).arg(settings.ttlSeconds()).arg(invalidation.announce() ? channel() : "")
          .arg(message));
    }
    return requests;
  }

  /** The server's maxmemory-policy, or a failure when CONFIG is not allowed (managed Redis often renames it). */
  Future<String> maxmemoryPolicy() {
    return redis.send(Request.cmd(Command.CONFIG).arg("GET").arg("maxmemory-policy"))
        .timeout(2, TimeUnit.SECONDS)
        .map(response -> {
          if (response == null || response.size() == 0) {
            throw new IllegalStateException("CONFIG GET maxmemory-policy returned nothing");
          }
          // RESP3 answers with a map, RESP2 with a [name, value] array
          return response.isMap() ? response.get("maxmemory-policy").toString() : response.get(1).toString();
        });
  }

  Future<Void> close() {
    return redis.close();
  }

  private Future<Response> call(int timeoutMs, Request request) {
    return call(timeoutMs, conn -> conn.send(request));
  }

  private <T> Future<T> call(int timeoutMs, Function<RedisConnection, Future<T>> exchange) {
    if (!breaker.allow()) {
      stats.redisSkipped.increment();
      return Future.failedFuture(new RedisUnavailable("the circuit breaker is open"));
    }
    return Deadline.within(vertx, timeoutMs, "Redis", connection().compose(exchange))
        .onSuccess(response -> breaker.succeeded())
        .onFailure(failure -> {
          stats.redisErrors.increment();
          if (failure instanceof TimeoutException) {
            stats.redisTimeouts.increment();
            dropConnection(); // a connection that stopped answering may never answer again: the next call opens another
          }
          breaker.failed();
          LOG.debug("Redis call failed: {}", failure.toString());
        });
  }

  /** The pipelined connection, opened on first use and again once the last one failed or closed. */
  private Future<RedisConnection> connection() {
    Future<RedisConnection> current = connection;
    if (current == null || current.failed()) {
      current = redis.connect();
      connection = current;
      Future<RedisConnection> opened = current;
      current.onSuccess(conn -> {
        conn.exceptionHandler(failure -> forget(opened, conn));
        conn.endHandler(end -> forget(opened, conn));
      });
    }
    return current;
  }

  private void dropConnection() {
    Future<RedisConnection> current = connection;
    connection = null;
    if (current != null) {
      current.onSuccess(RedisConnection::close);
    }
  }

  private void forget(Future<RedisConnection> opened, RedisConnection conn) {
    if (connection == opened) {
      connection = null;
      conn.close();
    }
  }

  /** Redis was not asked: the breaker is open. */
  static final class RedisUnavailable extends RuntimeException {
    RedisUnavailable(String message) {
      super(message, null, false, false);
    }
  }
}
