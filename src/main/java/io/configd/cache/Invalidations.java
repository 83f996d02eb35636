package io.configd.cache;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed versions reaching this node's tiers: the near cache drops older entries (and reads in flight learn of
 * the version), Redis drops them too and, for a write this node took, tells every node over pub/sub. A Redis
 * invalidation that fails waits in a bounded backlog, replayed once Redis answers again. Redis invalidations go in
 * rounds, one at a time: those that come while a round is in flight (the other writes of a batch, the other changes of
 * a Kafka poll) leave together in the next one, one round trip for all, one per key: a key told several times meanwhile
 * (written twice, or written and then heard of from the change stream) goes once, at its newest version, announced if
 * any of them was. A version this node's own round already put in Redis is not sent again when the change stream
 * brings it back: that script would find the version known and change nothing (it was half of Redis's scripts on a
 * node taking writes). Runs on the cache verticle's event loop.
 */
final class Invalidations {

  private static final Logger LOG = LoggerFactory.getLogger(Invalidations.class);
  private static final int MAX_BACKLOG = 10_000;
  /** Invalidations sent in one round at most (the client's queue of waiting replies is bounded too). */
  private static final int MAX_ROUND = 1_000;
  /** Versions of this node's writes that Redis took, kept until the change stream brings them back, at most. */
  private static final int MAX_DONE = 10_000;

  private final SharedCache cache;
  private final RedisTier redis;
  private final ReadThrough reads;
  private final int ttlSeconds;
  /** Redis invalidations that could not be done yet, by key, with the version to invalidate to. */
  private final Map<CacheKey, Integer> backlog = new LinkedHashMap<>();
  /** Redis invalidations waiting for the round in flight to answer, one per key. */
  private final Map<CacheKey, RedisTier.Invalidation> queued = new LinkedHashMap<>();
  /** The newest version of each key that a round of this node's writes put in Redis, until the change stream's turn. */
  private final Map<CacheKey, Integer> inRedis = new LinkedHashMap<>();
  private boolean roundInFlight;
  private long count;
  private boolean overflowLogged;

  Invalidations(SharedCache cache, RedisTier redis, ReadThrough reads, int ttlSeconds) {
    this.cache = cache;
    this.redis = redis;
    this.reads = reads;
    this.ttlSeconds = ttlSeconds;
  }

  /**
   * The versions a write or a transaction of this node committed, whose entries the near cache holds already: Redis
   * drops older ones and tells every node (until it has, the near cache keeps each version known, so that this node's
   * reads take an older version in Redis as outdated).
   */
  void written(List<ConfigValue> values) {
    for (ConfigValue value : values) {
      CacheKey key = new CacheKey(value.env(), value.key());
      near(key, value.version());
      queue(new RedisTier.Invalidation(key, value.version(), true));
    }
    sendRound();
  }

  /**
   * A change from the change stream, seen by every node: pub/sub is at-most-once, and the node that took the write may
   * have failed to tell Redis; this is the backstop, needless for a version this node's own round put there.
   */
  void changed(CacheKey key, int version) {
    near(key, version);
    Integer put = inRedis.get(key);
    if (put != null && put <= version) {
      inRedis.remove(key); // the change stream has come to the version put, or past it
    }
    if (put != null && put >= version) {
      cache.stats().redisInvalidationsDone.increment();
      return;
    }
    queue(new RedisTier.Invalidation(key, version, false));
    sendRound();
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
    pending.forEach((key, version) -> queue(new RedisTier.Invalidation(key, version, true)));
    sendRound();
  }

  /** Version {@code version} committed: older entries go, and a read in flight may no longer cache an older one. */
  private void near(CacheKey key, int version) {
    count++;
    if (cache.near().invalidate(key, version)) {
      cache.stats().nearInvalidations.increment();
    }
    reads.invalidated(key, version);
  }

  /**
   * Queues an invalidation for the next round, merged with one of the same key already queued: dropping what is older
   * than the newer version drops what is older than both, and an announcement of it tells the other nodes as much.
   */
  private void queue(RedisTier.Invalidation invalidation) {
    queued.merge(invalidation.key(), invalidation, (queuedBefore, again) -> new RedisTier.Invalidation(
        invalidation.key(), Math.max(queuedBefore.version(), again.version()),
        queuedBefore.announce() || again.announce()));
  }

  /**
   * Sends what is queued in one round unless one is in flight, whose answer sends the next. Answered or failed (then
   * backlogged), a version this node wrote needs no longer be held known beside the near cache's slots.
   */
  private void sendRound() {
    if (roundInFlight || queued.isEmpty()) {
      return;
    }
    List<RedisTier.Invalidation> round = new ArrayList<>(Math.min(queued.size(), MAX_ROUND));
    for (Iterator<RedisTier.Invalidation> next = queued.values().iterator(); next.hasNext() && round.size() < MAX_ROUND; ) {
      round.add(next.next());
      next.remove();
    }
    roundInFlight = true;
    redis.invalidate(round).onComplete(done -> {
      roundInFlight = false;
      if (done.succeeded()) {
        cache.stats().redisInvalidations.add(round.size());
        cache.stats().redisInvalidationRounds.increment();
      }
      for (RedisTier.Invalidation invalidation : round) {
        if (done.failed()) {
          remember(invalidation.key(), invalidation.version());
        } else if (invalidation.announce()) {
          putInRedis(invalidation.key(), invalidation.version());
        }
        cache.near().redisCaughtUp(invalidation.key(), invalidation.version());
      }
      sendRound();
    });
  }

  /** A version of this node's writes is in Redis: the change stream need not put it there again. */
  private void putInRedis(CacheKey key, int version) {
    inRedis.merge(key, version, Math::max);
    if (inRedis.size() > MAX_DONE) { // change stream late or down: the eldest get their backstop after all
      Iterator<CacheKey> eldest = inRedis.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
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
