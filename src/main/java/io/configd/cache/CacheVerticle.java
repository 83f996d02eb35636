package io.configd.cache;

import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.configd.store.ConfigStore;
import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path: near cache → Redis → PostgreSQL, each miss filling the tiers above it, every fill and invalidation
 * checked against the newest version known, so an older version never replaces a newer one.
 *
 * <p>Stale answers: the node probes PostgreSQL every {@code cache.pgProbeIntervalMs} and also learns from every
 * failed read. While its last contact with PostgreSQL failed, an answer from the near cache or Redis is marked
 * stale: it is the newest version this node knows of, but newer ones may have committed since. A key in neither
 * tier then fails with UNAVAILABLE. Answers read from PostgreSQL are never stale.
 */
public class CacheVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CacheVerticle.class);
  private static final int MAX_BACKLOG = 10_000;

  /** A read in flight for one key: every request for the key meanwhile shares it. */
  private static final class Load {
    /** Versions below this are known to be outdated: they may be answered but never cached. */
    int minVersion;
    Future<Lookup> result;

    Load(int minVersion) {
      this.minVersion = minVersion;
    }
  }

  private final FillHook hook;
  private final CacheStats stats = new CacheStats();
  private final Map<CacheKey, Load> loads = new HashMap<>();
  /** Redis invalidations that could not be done yet, by key, with the version to invalidate to. */
  private final Map<CacheKey, Integer> backlog = new LinkedHashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private CacheSettings settings;
  private Pool pool;
  private ConfigStore store;
  private NearCache near;
  private RedisTier redis;
  private InvalidationSubscriber subscriber;
  private String redisPolicy = "unknown";
  private boolean pgUp = true;
  private boolean probing;
  private long probeTimer = -1;
  private long invalidations;
  private boolean backlogOverflowLogged;

  public CacheVerticle() {
    this(FillHook.NONE);
  }

  CacheVerticle(FillHook hook) {
    this.hook = hook;
  }

  @Override
  public Future<?> start() {
    settings = CacheSettings.from(config());
    pool = settings.pg().pool(vertx);
    store = new ConfigStore(pool);
    near = new NearCache(settings.nearMaxEntries(), settings.nearExpireSeconds());
    redis = new RedisTier(vertx, settings, stats, this::breakerChanged);
    subscriber = new InvalidationSubscriber(vertx, settings, redis.channel(), this::announced, this::subscriptionRestored);
    probeTimer = vertx.setPeriodic(settings.pgProbeIntervalMs(), id -> probePostgresql());
    checkRedisPolicy();
    consumers.add(vertx.eventBus().localConsumer(Addresses.CACHE_GET, this::get));
    consumers.add(vertx.eventBus().localConsumer(Addresses.CACHE_LIST, this::list));
    consumers.add(vertx.eventBus().localConsumer(Addresses.CACHE_WRITTEN, this::written));
    consumers.add(vertx.eventBus().localConsumer(Addresses.CACHE_INVALIDATE, this::changed));
    consumers.add(vertx.eventBus().localConsumer(Addresses.CACHE_STATS, this::stats));
    return subscriber.start()
        .compose(subscribed -> Future.all(consumers.stream().map(MessageConsumer::completion).toList()))
        .onSuccess(ready -> LOG.info("Cache ready: near cache of {} entries, Redis {} (namespace '{}', TTL {} s)",
            settings.nearMaxEntries(), settings.redisUri(), settings.namespace(), settings.ttlSeconds()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(probeTimer);
    List<Future<Void>> closing = new ArrayList<>();
    consumers.forEach(consumer -> closing.add(consumer.unregister()));
    closing.add(subscriber.close());
    closing.add(redis.close());
    closing.add(pool.close());
    return Future.join(closing);
  }

  private void get(Message<JsonObject> message) {
    CacheKey key = new CacheKey(message.body().getString("env"), message.body().getString("key"));
    lookup(key).onSuccess(found -> message.reply(found.toJson())).onFailure(failure -> fail(message, failure));
  }

  private Future<Lookup> lookup(CacheKey key) {
    ConfigValue cached = near.get(key);
    if (cached != null) {
      stats.nearHits++;
      return Future.succeededFuture(cachedAnswer(cached, Lookup.NEAR));
    }
    stats.nearMisses++;
    Load pending = loads.get(key);
    if (pending != null) {
      return pending.result;
    }
    Load load = new Load(near.highWater(key));
    loads.put(key, load);
    load.result = fromRedis(key, load).onComplete(done -> loads.remove(key, load));
    return load.result;
  }

  private Future<Lookup> fromRedis(CacheKey key, Load load) {
    return redis.get(key).transform(answer -> {
      if (answer.failed()) {
        stats.fallbacksToPg++;
        return fromPostgresql(key, load);
      }
      ConfigValue found = answer.result();
      if (found == null) {
        stats.redisMisses++;
        return fromPostgresql(key, load);
      }
      if (found.version() < load.minVersion) {
        stats.redisOutdated++; // a Redis invalidation this node asked for has not happened (yet)
        return fromPostgresql(key, load);
      }
      stats.redisHits++;
      fillNear(key, found, load);
      return Future.succeededFuture(cachedAnswer(found, Lookup.REDIS));
    });
  }

  private Future<Lookup> fromPostgresql(CacheKey key, Load load) {
    stats.pgReads++;
    return store.current(key.env(), ConfigKey.parse(key.key()))
        .timeout(settings.pgTimeoutMs(), TimeUnit.MILLISECONDS)
        .compose(found -> hook.beforeFill(found.orElse(null)).map(found))
        .transform(answer -> {
          if (answer.failed()) {
            stats.pgErrors++;
            stats.unavailable++;
            postgresqlDown(answer.cause());
            return Future.failedFuture(new ConfigdException(Failure.UNAVAILABLE, "the configuration store is "
                + "unreachable and key '" + key.key() + "' in " + key.env() + " is not cached on this node; retry shortly"));
          }
          postgresqlUp();
          Optional<ConfigValue> found = answer.result();
          if (found.isEmpty()) {
            stats.pgNotFound++;
            return Future.succeededFuture(new Lookup(null, Lookup.POSTGRESQL, false));
          }
          ConfigValue value = found.get();
          if (fillNear(key, value, load)) {
            fillRedis(value);
          }
          return Future.succeededFuture(new Lookup(value, Lookup.POSTGRESQL, false));
        });
  }

  /** Fills the near cache unless the value is older than a version this node knows; false when refused. */
  private boolean fillNear(CacheKey key, ConfigValue value, Load load) {
    if (value.version() < load.minVersion || !near.fill(key, value)) {
      stats.nearFillsRefused++;
      return false;
    }
    stats.nearFills++;
    return true;
  }

  private void fillRedis(ConfigValue value) {
    redis.fill(value).onSuccess(stored -> {
      if (stored) {
        stats.redisFills++;
      } else {
        stats.redisFillsRefused++;
      }
    });
  }

  private Lookup cachedAnswer(ConfigValue value, String source) {
    if (!pgUp) {
      stats.staleServed++;
    }
    return new Lookup(value, source, !pgUp);
  }

  private void list(Message<JsonObject> message) {
    JsonObject body = message.body();
    String env = body.getString("env");
    long invalidationsBefore = invalidations;
    JsonArray readable = body.getJsonArray("readable");
    store.entries(env, KeyPrefix.parse(body.getString("prefix")), body.getString("after", ""), body.getInteger("limit"),
            readable == null ? null : readable.stream().map(String.class::cast).toList())
        .timeout(settings.pgTimeoutMs(), TimeUnit.MILLISECONDS)
        .onSuccess(page -> {
          postgresqlUp();
          JsonArray items = new JsonArray();
          boolean warm = invalidations == invalidationsBefore; // else a listed version may already be outdated
          for (ConfigValue value : page.items()) {
            items.add(value.toJson());
            if (warm && near.fill(new CacheKey(env, value.key()), value)) {
              stats.nearFills++;
            }
          }
          message.reply(new JsonObject().put("items", items).put("next", page.next()));
        })
        .onFailure(failure -> {
          stats.pgErrors++;
          stats.unavailable++;
          postgresqlDown(failure);
          message.fail(Failure.UNAVAILABLE.code(), "the configuration store is unreachable; listings are always read "
              + "from it; retry shortly");
        });
  }

  /** The node that took a write: the near cache gets the new entry, Redis drops older ones and tells every node. */
  private void written(Message<JsonObject> message) {
    ConfigValue value = ConfigValue.fromJson(message.body());
    CacheKey key = new CacheKey(value.env(), value.key());
    invalidate(key, value.version());
    if (near.fill(key, value)) {
      stats.nearFills++;
    }
    invalidateRedis(key, value.version(), true)
        .onComplete(done -> message.reply(new JsonObject().put("redis", done.succeeded())));
  }

  /** A change from the change stream, seen by every node: pub/sub is at-most-once, this is the backstop. */
  private void changed(Message<JsonObject> message) {
    ConfigValue change;
    try {
      change = ConfigValue.fromJson(message.body());
    } catch (RuntimeException e) {
      LOG.warn("Ignoring a malformed change on {}: {}", Addresses.CACHE_INVALIDATE, e.toString());
      return;
    }
    CacheKey key = new CacheKey(change.env(), change.key());
    invalidate(key, change.version());
    invalidateRedis(key, change.version(), false);
  }

  /** An invalidation announced over Redis pub/sub by the node that took the write. */
  private void announced(JsonObject message) {
    stats.pubsubReceived++;
    invalidate(new CacheKey(message.getString("env"), message.getString("key")), message.getInteger("version"));
  }

  /** Version {@code version} committed: older entries go, and a read in flight may no longer cache an older one. */
  private void invalidate(CacheKey key, int version) {
    invalidations++;
    if (near.invalidate(key, version)) {
      stats.nearInvalidations++;
    }
    Load load = loads.get(key);
    if (load != null && version > load.minVersion) {
      load.minVersion = version;
      loads.remove(key); // later requests must not join a read that may return the older version
    }
  }

  private Future<Void> invalidateRedis(CacheKey key, int version, boolean announce) {
    return redis.invalidate(key, version, announce)
        .onSuccess(done -> stats.redisInvalidations++)
        .onFailure(failure -> remember(key, version));
  }

  /** Keeps a Redis invalidation that failed, to do it once Redis answers again. */
  private void remember(CacheKey key, int version) {
    backlog.merge(key, version, Math::max);
    if (backlog.size() > MAX_BACKLOG) {
      Iterator<CacheKey> eldest = backlog.keySet().iterator();
      eldest.next();
      eldest.remove();
      if (!backlogOverflowLogged) {
        backlogOverflowLogged = true;
        LOG.warn("More than {} Redis invalidations wait for Redis; the oldest are dropped and Redis may serve "
            + "outdated entries until their TTL ({} s) or the next change of those keys", MAX_BACKLOG, settings.ttlSeconds());
      }
    }
  }

  private void flushBacklog() {
    if (backlog.isEmpty()) {
      return;
    }
    LOG.info("Replaying {} Redis invalidation(s) that failed while Redis was unavailable", backlog.size());
    Map<CacheKey, Integer> pending = new LinkedHashMap<>(backlog);
    backlog.clear();
    backlogOverflowLogged = false;
    pending.forEach((key, version) -> invalidateRedis(key, version, true));
  }

  private void breakerChanged(Breaker.State from, Breaker.State to) {
    if (to == Breaker.State.OPEN && from == Breaker.State.CLOSED) {
      LOG.warn("Redis is failing: circuit breaker open, reads go straight to PostgreSQL; probing again every {} ms",
          settings.breakerResetMs());
    } else if (to == Breaker.State.CLOSED) {
      LOG.info("Redis answers again: circuit breaker closed");
      vertx.runOnContext(v -> flushBacklog());
    }
  }

  private void subscriptionRestored() {
    near.forgetValues(); // invalidations sent while the subscription was down are lost
    LOG.info("Near cache values dropped (versions kept): invalidations may have been missed while unsubscribed");
  }

  private void probePostgresql() {
    if (probing) {
      return;
    }
    probing = true;
    store.ping().timeout(settings.pgTimeoutMs(), TimeUnit.MILLISECONDS).onComplete(done -> {
      probing = false;
      if (done.succeeded()) {
        postgresqlUp();
      } else {
        postgresqlDown(done.cause());
      }
    });
  }

  private void postgresqlDown(Throwable cause) {
    if (pgUp) {
      pgUp = false;
      LOG.warn("PostgreSQL is unreachable ({}): cached reads are answered as stale, uncached ones fail with 503",
          cause.toString());
    }
  }

  private void postgresqlUp() {
    if (!pgUp) {
      pgUp = true;
      LOG.info("PostgreSQL is reachable again");
    }
  }

  private void checkRedisPolicy() {
    redis.maxmemoryPolicy()
        .onSuccess(policy -> {
          redisPolicy = policy;
          if (!"allkeys-lru".equals(policy)) {
            LOG.warn("Redis at {} runs maxmemory-policy '{}'; configd recommends allkeys-lru (every key it writes can "
                + "be rebuilt from PostgreSQL). Not changing it: set it in redis.conf or with CONFIG SET.",
                settings.redisUri(), policy);
          }
        })
        .onFailure(failure -> LOG.warn("Could not read Redis's maxmemory-policy ({}); configd recommends allkeys-lru",
            failure.getMessage()));
  }

  private void stats(Message<JsonObject> message) {
    message.reply(stats.toJson(near.size(), redis.breaker(), redisPolicy, subscriber.subscribed(), backlog.size(), pgUp));
  }

  private static void fail(Message<?> message, Throwable failure) {
    if (failure instanceof ConfigdException e) {
      message.fail(e.failure().code(), e.getMessage());
    } else {
      LOG.error("Cache read failed", failure);
      message.fail(Failure.INTERNAL.code(), "an unexpected error occurred; it has been logged");
    }
  }
}
