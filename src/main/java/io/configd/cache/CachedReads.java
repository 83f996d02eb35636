package io.configd.cache;

import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.store.Page;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache as an API instance sees it: a read is answered from the node's near cache on the caller's own event loop
 * when it holds the key (no event-bus hop, the answer's body encoded once per version); anything else asks this
 * node's {@link CacheVerticle}, with typed requests and replies.
 */
public final class CachedReads {

  private static final Logger LOG = LoggerFactory.getLogger(CachedReads.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final SharedCache cache;

  public CachedReads(Vertx vertx, SharedCache cache) {
    this.vertx = vertx;
    this.cache = cache;
  }

  public Future<CacheAnswer> read(String env, ConfigKey key) {
    CacheAnswer hit = cache.nearHit(new CacheKey(env, key.value()));
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    return vertx.eventBus().<CacheAnswer>request(Addresses.CACHE_GET, new CacheRead(env, key), LOCAL).map(Message::body);
  }

  public Future<Page<ConfigValue>> list(CacheListing listing) {
    return vertx.eventBus().<Page<ConfigValue>>request(Addresses.CACHE_LIST, listing, LOCAL).map(Message::body);
  }

  /**
   * Tells the cache of the versions a write or a transaction committed, in one message; completes once this node's
   * near cache holds them (a read on this node after the answer sees them). Redis is invalidated right after.
   */
  public Future<Void> written(List<ConfigValue> values) {
    return written(vertx, values);
  }

  /** As {@link #written(List)}, from a verticle that writes without reading (a rollout plan's promotion). */
  public static Future<Void> written(Vertx vertx, List<ConfigValue> values) {
    return vertx.eventBus().request(Addresses.CACHE_WRITTEN, new CacheWritten(values), LOCAL).mapEmpty();
  }

  /**
   * The committed write, once this node's cache holds it (a read on this node after the answer sees it); a cache
   * that could not be told is logged and the write stands (the change stream invalidates it).
   */
  public static Future<ConfigValue> told(Vertx vertx, ConfigValue value) {
    return written(vertx, List.of(value))
        .map(value)
        .otherwise(failure -> {
          LOG.warn("Cache not told of {} v{} in {}: {}", value.key(), value.version(), value.env(), failure.toString());
          return value;
        });
  }

  /** PostgreSQL's health as this node's cache last saw it, for /ready. */
  public PostgresqlHealth postgresql() {
    return cache.postgresql();
  }
}
