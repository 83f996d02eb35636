package io.configd.cache;

import io.vertx.core.json.JsonObject;

/** Counters per tier, touched only on the CacheVerticle's event loop and read over the bus as JSON. */
final class CacheStats {

  long nearHits;
  long nearMisses;
  long nearFills;
  long nearFillsRefused;
  long nearInvalidations;

  long redisHits;
  long redisMisses;
  long redisErrors;
  long redisSkipped;
  long redisFills;
  long redisFillsRefused;
  long redisInvalidations;
  long redisOutdated;
  long pubsubReceived;

  long pgReads;
  long pgNotFound;
  long pgErrors;

  long fallbacksToPg;
  long staleServed;
  long unavailable;

  JsonObject toJson(long nearSize, Breaker breaker, String redisPolicy, boolean subscribed, int backlog, boolean pgUp) {
    return new JsonObject()
        .put("near", new JsonObject()
            .put("hits", nearHits)
            .put("misses", nearMisses)
            .put("fills", nearFills)
            .put("fillsRefused", nearFillsRefused)
            .put("invalidations", nearInvalidations)
            .put("size", nearSize))
        .put("redis", new JsonObject()
            .put("hits", redisHits)
            .put("misses", redisMisses)
            .put("errors", redisErrors)
            .put("skipped", redisSkipped)
            .put("fills", redisFills)
            .put("fillsRefused", redisFillsRefused)
            .put("outdated", redisOutdated)
            .put("invalidations", redisInvalidations)
            .put("invalidationBacklog", backlog)
            .put("pubsubReceived", pubsubReceived)
            .put("subscribed", subscribed)
            .put("maxmemoryPolicy", redisPolicy)
            .put("breaker", new JsonObject()
                .put("state", breaker.state().name())
                .put("timesOpened", breaker.timesOpened())))
        .put("postgresql", new JsonObject()
            .put("up", pgUp)
            .put("reads", pgReads)
            .put("notFound", pgNotFound)
            .put("errors", pgErrors))
        .put("fallbacks", new JsonObject()
            .put("redisToPostgresql", fallbacksToPg)
            .put("staleServed", staleServed)
            .put("unavailable", unavailable));
  }
}
