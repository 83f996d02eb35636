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

/**
 * The cache as an API instance sees it: a read is answered from the node's near cache on the caller's own event loop
 * when it holds the key (no event-bus hop, the answer's body encoded once per version); anything else asks this
 * node's {@link CacheVerticle}, with typed requests and replies. A write fills the near cache here too.
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

  /**
   * The versions a write or a transaction committed, put in this node's near cache on the caller's own event loop
   * (a read on this node after the answer sees them), then told to the cache verticle in one message, which
   * invalidates Redis and, through it, the other nodes without the answer waiting.
   */
  public void written(List<ConfigValue> values) {
    values.forEach(this::nearWritten);
    vertx.eventBus().publish(Addresses.CACHE_WRITTEN, new CacheWritten(values), LOCAL);
  }

  /** The committed write, once this node's near cache holds it (see {@link #written(List)}). */
  public Future<ConfigValue> told(ConfigValue value) {
    written(List.of(value));
    return Future.succeededFuture(value);
  }

  /**
   * {@link #told}, answering with the entry the near cache holds: the write's answer is then its body, encoded once
   * for both.
   */
  public Future<CachedEntry> toldEntry(ConfigValue value) {
    CachedEntry entry = nearWritten(value);
    vertx.eventBus().publish(Addresses.CACHE_WRITTEN, new CacheWritten(List.of(value)), LOCAL);
    return Future.succeededFuture(entry);
  }

  private CachedEntry nearWritten(ConfigValue value) {
    CachedEntry entry = CachedEntry.of(value);
    if (cache.near().written(new CacheKey(value.env(), value.key()), entry)) {
      cache.stats().nearFills.increment();
    }
    return entry;
  }

  /** PostgreSQL's health as this node's cache last saw it, for /ready. */
  public PostgresqlHealth postgresql() {
    return cache.postgresql();
  }
}
