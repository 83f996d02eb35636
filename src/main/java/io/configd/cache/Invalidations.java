package io.configd.cache;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed versions reaching this node's tiers: the near cache drops older entries (and reads in flight learn of
 * the version), Redis drops them too and, for a write this node took, tells every node over pub/sub. A Redis
 * invalidation that fails waits in a bounded backlog, replayed once Redis answers again. Runs on the cache
 * verticle's event loop.
 */
final class Invalidations {

  private static final Logger LOG = LoggerFactory.getLogger(Invalidations.class);
  private static final int MAX_BACKLOG = 10_000;

  private final SharedCache cache;
  private final RedisTier redis;
  private final ReadThrough reads;
  private final int ttlSeconds;
  /** Redis invalidations that could not be done yet, by key, with the version to invalidate to. */
  private final Map<CacheKey, Integer> backlog = new LinkedHashMap<>();
  private long count;
  private boolean overflowLogged;

  Invalidations(SharedCache cache, RedisTier redis, ReadThrough reads, int ttlSeconds) {
    this.cache = cache;
    this.redis = redis;
    this.reads = reads;
    this.ttlSeconds = ttlSeconds;
  }

  /**
   * The node that took a write, whose near cache holds the new entry already: Redis drops older ones and tells every
   * node (until it has, the near cache keeps the version known, so that this node's reads take an older version in
   * Redis as outdated).
   */
  void written(CacheKey key, int version) {
    near(key, version);
    redis(key, version, true).onComplete(done -> cache.near().redisCaughtUp(key, version));
  }

  /** A change from the change stream, seen by every node: pub/sub is at-most-once, this is the backstop. */
  void changed(CacheKey key, int version) {
    near(key, version);
    redis(key, version, false);
  }

  /** An invalidation announced over Redis pub/sub by the node that took the write. */
  void announced(JsonObject message) {
    cache.stats().pubsubReceived.increment();
    near(new CacheKey(message.getString("env"), message.getString("key")), message.getInteger("version"));
  }

  /** Invalidations sent while the subscription was down are lost: every entry goes, the versions stay. */
  void subscriptionRestored() {
    cache.near().forgetValues();
    LOG.info("Near cache values dropped (versions kept): invalidations may have been missed while unsubscribed");
  }

  /** How many invalidations this node has seen: a listing that saw none meanwhile may fill the near cache. */
  long count() {
    return count;
  }

  int backlog() {
    return backlog.size();
  }

  /** Replays the Redis invalidations that failed while Redis was unavailable. */
  void replayBacklog() {
    if (backlog.isEmpty()) {
      return;
    }
    LOG.info("Replaying {} Redis invalidation(s) that failed while Redis was unavailable", backlog.size());
    Map<CacheKey, Integer> pending = new LinkedHashMap<>(backlog);
    backlog.clear();
    overflowLogged = false;
    pending.forEach((key, version) -> redis(key, version, true));
  }

  /** Version {@code version} committed: older entries go, and a read in flight may no longer cache an older one. */
  private void near(CacheKey key, int version) {
    count++;
    if (cache.near().invalidate(key, version)) {
      cache.stats().nearInvalidations.increment();
    }
    reads.invalidated(key, version);
  }

  private Future<Void> redis(CacheKey key, int version, boolean announce) {
    return redis.invalidate(key, version, announce)
        .onSuccess(done -> cache.stats().redisInvalidations.increment())
        .onFailure(failure -> remember(key, version));
  }

  /** Keeps a Redis invalidation that failed, to do it once Redis answers again. */
  private void remember(CacheKey key, int version) {
    backlog.merge(key, version, Math::max);
    if (backlog.size() > MAX_BACKLOG) {
      Iterator<CacheKey> eldest = backlog.keySet().iterator();
      eldest.next();
      eldest.remove();
      if (!overflowLogged) {
        overflowLogged = true;
        LOG.warn("More than {} Redis invalidations wait for Redis; the oldest are dropped and Redis may serve "
            + "outdated entries until their TTL ({} s) or the next change of those keys", MAX_BACKLOG, ttlSeconds);
      }
    }
  }
}
