package io.configd.cache;

import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.store.ConfigStore;
import io.configd.store.Failures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The read path behind a near-cache miss: Redis, then PostgreSQL, each miss filling the tiers above it, one read per
 * key at a time (every request for the key meanwhile shares it), every fill checked against the newest version this
 * node knows, so an older version never replaces a newer one. Runs on the cache verticle's event loop.
 *
 * <p>Stale answers: while the node's last contact with PostgreSQL failed, an answer from the near cache or Redis is
 * marked stale (the newest version this node knows of, but newer ones may have committed since); a key in neither
 * tier then fails with UNAVAILABLE. Answers read from PostgreSQL are never stale.
 */
final class ReadThrough {

  /** A read in flight for one key. */
  private static final class Load {
    /** Versions below this are known to be outdated: they may be answered but never cached. */
    int minVersion;
    Future<CacheAnswer> result;

    Load(int minVersion) {
      this.minVersion = minVersion;
    }
  }

  private final Vertx vertx;
  private final CacheSettings settings;
  private final Pool pool;
  private final SharedCache cache;
  private final RedisTier redis;
  private final PostgresqlProbe probe;
  private final FillHook hook;
  private final Map<CacheKey, Load> loads = new HashMap<>();

  ReadThrough(Vertx vertx, CacheSettings settings, Pool pool, SharedCache cache, RedisTier redis, PostgresqlProbe probe,
              FillHook hook) {
    this.vertx = vertx;
    this.settings = settings;
    this.pool = pool;
    this.cache = cache;
    this.redis = redis;
    this.probe = probe;
    this.hook = hook;
  }

  Future<CacheAnswer> read(CacheKey key) {
    CacheAnswer hit = cache.nearHit(key); // filled since the API instance looked
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    cache.stats().nearMisses.increment();
    // a write answered on an API instance's event loop may not have reached this loop yet: the near cache knows its
    // version, so no read of an older one is joined
    int known = cache.near().highWater(key);
    invalidated(key, known);
    Load pending = loads.get(key);
    if (pending != null) {
      return pending.result;
    }
    Load load = new Load(known);
    loads.put(key, load);
    load.result = fromRedis(key, load).onComplete(done -> loads.remove(key, load));
    return load.result;
  }

  /** Version {@code version} committed: a read in flight may no longer cache an older one, nor be joined. */
  void invalidated(CacheKey key, int version) {
    Load load = loads.get(key);
    if (load != null && version > load.minVersion) {
      load.minVersion = version;
      loads.remove(key); // later requests must not join a read that may return the older version
    }
  }

  private Future<CacheAnswer> fromRedis(CacheKey key, Load load) {
    return redis.get(key).transform(answer -> {
      if (answer.failed()) {
        cache.stats().fallbacksToPg.increment();
        return fromPostgresql(key, load);
      }
      CachedEntry found = answer.result();
      if (found == null) {
        cache.stats().redisMisses.increment();
        return fromPostgresql(key, load);
      }
      if (found.version() < load.minVersion) {
        cache.stats().redisOutdated.increment(); // a Redis invalidation this node asked for has not happened (yet)
        return fromPostgresql(key, load);
      }
      cache.stats().redisHits.increment();
      fillNear(key, found, load);
      return Future.succeededFuture(cache.cachedAnswer(found, Tier.REDIS));
    });
  }

  private Future<CacheAnswer> fromPostgresql(CacheKey key, Load load) {
    cache.stats().pgReads.increment();
    // the pool's wait for a connection is bounded by its own connection timeout; the limit measures the query
    return pool.withConnection(conn -> Deadline.within(vertx, settings.pgTimeoutMs(), "PostgreSQL",
            new ConfigStore(conn).current(key.env(), ConfigKey.parse(key.key()))))
        .compose(found -> hook.beforeFill(found.orElse(null)).map(found))
        .transform(answer -> {
          if (answer.failed()) {
            cache.stats().pgErrors.increment();
            if (!Failures.isUnavailable(answer.cause())) {
              return Future.failedFuture(answer.cause()); // PostgreSQL answered: it is reachable, the query failed
            }
            cache.stats().unavailable.increment();
            probe.down(answer.cause());
            return Future.failedFuture(new ConfigdException(Failure.UNAVAILABLE, "the configuration store is "
                + "unreachable and key '" + key.key() + "' in " + key.env() + " is not cached on this node; retry shortly"));
          }
          probe.up();
          Optional<ConfigValue> found = answer.result();
          if (found.isEmpty()) {
            cache.stats().pgNotFound.increment();
            return Future.succeededFuture(new CacheAnswer(null, Tier.POSTGRESQL, false));
          }
          CachedEntry entry = CachedEntry.of(found.get());
          if (fillNear(key, entry, load)) {
            fillRedis(entry);
          }
          return Future.succeededFuture(new CacheAnswer(entry, Tier.POSTGRESQL, false));
        });
  }

  /** Fills the near cache unless the entry is older than a version this node knows; false when refused. */
  private boolean fillNear(CacheKey key, CachedEntry entry, Load load) {
    if (entry.version() < load.minVersion || !cache.near().fill(key, entry)) {
      cache.stats().nearFillsRefused.increment();
      return false;
    }
    cache.stats().nearFills.increment();
    return true;
  }

  private void fillRedis(CachedEntry entry) {
    redis.fill(entry).onSuccess(stored -> {
      if (stored) {
        cache.stats().redisFills.increment();
      } else {
        cache.stats().redisFillsRefused.increment();
      }
    });
  }
}
