package io.configd.cache;

import io.vertx.core.json.JsonObject;

/**
 * The read path's settings: the {@code cache} and {@code redis} sections of the node configuration.
 *
 * <p>Redis should run with {@code maxmemory-policy allkeys-lru}: every key configd writes has a TTL and can be
 * rebuilt from PostgreSQL, so evicting the least recently used is always safe, while {@code noeviction} turns a
 * full Redis into failed fills. The CacheVerticle logs a warning at start-up when the server runs another policy;
 * it never changes the server's settings.
 *
 * @param nearMaxEntries        bound of the per-node near cache; 0 turns it off (tests, benchmarks of Redis), which
 *                              also drops the per-key version record that keeps read-your-writes when a Redis
 *                              invalidation fails
 * @param nearExpireSeconds     a near-cache entry is dropped this long after it was filled, a safety net for
 *                              invalidations that never arrived (Redis pub/sub is at-most-once)
 * @param pgTimeoutMs           a PostgreSQL read slower than this counts as PostgreSQL being down
 * @param pgProbeIntervalMs     how often the node checks PostgreSQL, which decides whether answers are stale
 * @param redisUri              the Redis server
 * @param namespace             prefix of every Redis key and channel configd uses
 * @param ttlSeconds            TTL of the Redis keys
 * @param redisTimeoutMs        a Redis read slower than this falls back to PostgreSQL
 * @param invalidationTimeoutMs a Redis invalidation or fill (off the read path: no reader waits for it) gets this long
 * @param breakerFailures       consecutive Redis failures that open the circuit breaker
 * @param breakerResetMs        how long the breaker stays open before one probe request may try Redis again
 * @param resubscribeMs         pause between attempts to restore the invalidation subscription
 */
public record CacheSettings(int nearMaxEntries, int nearExpireSeconds, int pgTimeoutMs, int pgProbeIntervalMs,
                            String redisUri, String namespace, int ttlSeconds, int redisTimeoutMs,
                            int invalidationTimeoutMs, int breakerFailures, int breakerResetMs, int resubscribeMs) {

  public static CacheSettings from(JsonObject config) {
    JsonObject cache = config.getJsonObject("cache", new JsonObject());
    JsonObject redis = config.getJsonObject("redis", new JsonObject());
    return new CacheSettings(
        cache.getInteger("nearMaxEntries", 10_000),
        cache.getInteger("nearExpireSeconds", 300),
        cache.getInteger("pgTimeoutMs", 3_000),
        cache.getInteger("pgProbeIntervalMs", 1_000),
        redis.getString("uri", "redis://127.0.0.1:6379"),
        redis.getString("namespace", ""),
        redis.getInteger("ttlSeconds", 3_600),
        redis.getInteger("timeoutMs", 50),
        redis.getInteger("invalidationTimeoutMs", 1_000),
        redis.getInteger("breakerFailures", 5),
        redis.getInteger("breakerResetMs", 1_000),
        redis.getInteger("resubscribeMs", 1_000));
  }

  /** The same settings under another Redis namespace. */
  public CacheSettings withNamespace(String other) {
    return new CacheSettings(nearMaxEntries, nearExpireSeconds, pgTimeoutMs, pgProbeIntervalMs, redisUri, other,
        ttlSeconds, redisTimeoutMs, invalidationTimeoutMs, breakerFailures, breakerResetMs, resubscribeMs);
  }
}
