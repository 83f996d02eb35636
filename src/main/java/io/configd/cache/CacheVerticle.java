package io.configd.cache;

import io.configd.model.Addresses;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.LocalCodec;
import io.configd.store.ConfigStore;
import io.configd.store.Failures;
import io.configd.store.Page;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path of one node behind its near cache: answers near-cache misses ({@link ReadThrough}), listings, and
 * keeps the tiers coherent ({@link Invalidations}); probes PostgreSQL ({@link PostgresqlProbe}). Near-cache hits
 * never come here: the API instances read the {@link SharedCache} on their own event loops ({@link CachedReads}).
 */
public class CacheVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CacheVerticle.class);

  private final CacheSettings settings;
  private final Pool pool;
  private final SharedCache cache;
  private final FillHook hook;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private ConfigStore store;
  private RedisTier redis;
  private InvalidationSubscriber subscriber;
  private PostgresqlProbe probe;
  private ReadThrough reads;
  private Invalidations invalidations;
  private String redisPolicy = "unknown";

  /** @param pool the node's PostgreSQL pool, which the node closes */
  public CacheVerticle(CacheSettings settings, Pool pool, SharedCache cache) {
    this(settings, pool, cache, FillHook.NONE);
  }

  CacheVerticle(CacheSettings settings, Pool pool, SharedCache cache, FillHook hook) {
    this.settings = settings;
    this.pool = pool;
    this.cache = cache;
    this.hook = hook;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, CacheRead.class, CacheAnswer.class, CacheListing.class, Page.class, ConfigValue.class,
        CacheWritten.class);
    store = new ConfigStore(pool);
    redis = new RedisTier(vertx, settings, cache.stats(), this::breakerChanged);
    probe = new PostgresqlProbe(vertx, pool, settings, cache.postgresql());
    reads = new ReadThrough(vertx, settings, pool, cache, redis, probe, hook);
    invalidations = new Invalidations(cache, redis, reads, settings.ttlSeconds());
    subscriber = new InvalidationSubscriber(vertx, settings, redis.channel(), invalidations::announced,
        invalidations::subscriptionRestored);
    probe.start();
    checkRedisPolicy();
    consumers.add(vertx.eventBus().<CacheRead>localConsumer(Addresses.CACHE_GET, this::get));
    consumers.add(vertx.eventBus().<CacheListing>localConsumer(Addresses.CACHE_LIST, this::list));
    consumers.add(vertx.eventBus().<CacheWritten>localConsumer(Addresses.CACHE_WRITTEN, this::written));
    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.CACHE_INVALIDATE, this::changed));
    consumers.add(vertx.eventBus().localConsumer(Addresses.CACHE_STATS, this::stats));
    return subscriber.start()
        .compose(subscribed -> Future.all(consumers.stream().map(MessageConsumer::completion).toList()))
        .onSuccess(ready -> LOG.info("Cache ready: near cache of {} entries, Redis {} (namespace '{}', TTL {} s)",
            settings.nearMaxEntries(), settings.redisUri(), settings.namespace(), settings.ttlSeconds()));
  }

  @Override
  public Future<?> stop() {
    probe.stop();
    List<Future<Void>> closing = new ArrayList<>();
    consumers.forEach(consumer -> closing.add(consumer.unregister()));
    closing.add(subscriber.close());
    closing.add(redis.close());
    return Future.join(closing);
  }

  private void get(Message<CacheRead> message) {
    CacheRead read = message.body();
    reads.read(new CacheKey(read.env(), read.key().value()))
        .onSuccess(message::reply)
        .onFailure(failure -> Failures.reply(message, failure));
  }

  private void list(Message<CacheListing> message) {
    CacheListing listing = message.body();
    long invalidationsBefore = invalidations.count();
    pool.withConnection(conn -> Deadline.within(vertx, settings.pgTimeoutMs(), "PostgreSQL",
            new ConfigStore(conn).entries(listing.env(), listing.prefix(), listing.after(), listing.limit(),
                listing.readable())))
        .onSuccess(page -> {
          probe.up();
          boolean warm = invalidations.count() == invalidationsBefore; // else a listed version may already be outdated
          if (warm) {
            for (ConfigValue value : page.items()) {
              if (cache.near().fill(new CacheKey(listing.env(), value.key()), CachedEntry.of(value))) {
                cache.stats().nearFills.increment();
              }
            }
          }
          message.reply(page);
        })
        .onFailure(failure -> {
          cache.stats().pgErrors.increment();
          if (!Failures.isUnavailable(failure)) {
            Failures.reply(message, failure); // PostgreSQL answered: it is reachable, the query failed
            return;
          }
          cache.stats().unavailable.increment();
          probe.down(failure);
          Failures.reply(message, new ConfigdException(Failure.UNAVAILABLE, "the configuration store is unreachable; "
              + "listings are always read from it; retry shortly"));
        });
  }

  /**
   * The node that took a write, whose near cache already holds its versions ({@link CachedReads#written}): reads in
   * flight learn of them; Redis, and through it the other nodes, are told.
   */
  private void written(Message<CacheWritten> message) {
    invalidations.written(message.body().values());
  }

  /** A change from the change stream ({@link ConfigValue#toChangeJson}), seen by every node. */
  private void changed(Message<JsonObject> message) {
    ConfigValue change;
    try {
      change = ConfigValue.fromJson(message.body());
    } catch (RuntimeException e) {
      LOG.warn("Ignoring a malformed change on {}: {}", Addresses.CACHE_INVALIDATE, e.toString());
      return;
    }
    invalidations.changed(new CacheKey(change.env(), change.key()), change.version());
  }

  private void breakerChanged(Breaker.State from, Breaker.State to) {
    if (to == Breaker.State.OPEN && from == Breaker.State.CLOSED) {
      LOG.warn("Redis is failing: circuit breaker open, reads go straight to PostgreSQL; probing again every {} ms",
          settings.breakerResetMs());
    } else if (to == Breaker.State.CLOSED) {
      LOG.info("Redis answers again: circuit breaker closed");
      vertx.runOnContext(v -> invalidations.replayBacklog());
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

  private void stats(Message<Object> message) {
    message.reply(cache.stats().toJson(cache.near().size(), redis.breaker(), redisPolicy, subscriber.subscribed(),
        invalidations.backlog(), cache.postgresql().up()));
  }
}
