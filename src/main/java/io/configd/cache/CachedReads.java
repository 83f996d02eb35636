package io.configd.cache;

import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.store.Page;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/**
 * The cache as an API instance sees it: a read is answered from the node's near cache on the caller's own event loop
 * when it holds the key (no event-bus hop, the answer's body encoded once per version); anything else asks this
 * node's {@link CacheVerticle}, with typed requests and replies.
 */
public final class CachedReads {

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

  /** Tells the cache of a committed write; completes once the near cache holds it, with whether Redis took it. */
  public Future<Boolean> written(ConfigValue value) {
    return vertx.eventBus().<Boolean>request(Addresses.CACHE_WRITTEN, value, LOCAL).map(Message::body);
  }

  /** PostgreSQL's health as this node's cache last saw it, for /ready. */
  public PostgresqlHealth postgresql() {
    return cache.postgresql();
  }
}
