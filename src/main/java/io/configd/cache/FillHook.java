package io.configd.cache;

import io.configd.model.ConfigValue;
import io.vertx.core.Future;

/**
 * Runs between a PostgreSQL read and the fills it causes. Production uses {@link #NONE}; tests hold the read here
 * to make the stale-fill race happen on purpose. The returned future must complete on the CacheVerticle's context.
 */
@FunctionalInterface
interface FillHook {

  FillHook NONE = loaded -> Future.succeededFuture();

  /** @param loaded what PostgreSQL returned, null when the key does not exist */
  Future<Void> beforeFill(ConfigValue loaded);
}
