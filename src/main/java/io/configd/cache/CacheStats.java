package io.configd.cache;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;

/** Counters per tier of one node, counted on the API's event loops (near-cache hits) and the cache verticle's. */
public final class CacheStats {

  final LongAdder nearHits = new LongAdder();
  final LongAdder nearMisses = new LongAdder();
  final LongAdder nearFills = new LongAdder();
  final LongAdder nearFillsRefused = new LongAdder();
  final LongAdder nearInvalidations = new LongAdder();

  final LongAdder redisHits = new LongAdder();
  final LongAdder redisMisses = new LongAdder();
  final LongAdder redisErrors = new LongAdder();
  final LongAdder redisTimeouts = new LongAdder();
  final LongAdder redisSkipped = new LongAdder();
  final LongAdder redisFills = new LongAdder();
  final LongAdder redisFillsRefused = new LongAdder();
  final LongAdder redisInvalidations = new LongAdder();
  final LongAdder redisInvalidationRounds = new LongAdder();
  /** Change-stream invalidations not sent: this node's own round had put that version in Redis already. */
  final LongAdder redisInvalidationsDone = new LongAdder();
  final LongAdder redisOutdated = new LongAdder();
  final LongAdder pubsubReceived = new LongAdder();

  final LongAdder pgReads = new LongAdder();
  final LongAdder pgNotFound = new LongAdder();
  final LongAdder pgErrors = new LongAdder();

  final LongAdder fallbacksToPg = new LongAdder();
  final LongAdder staleServed = new LongAdder();
  final LongAdder unavailable = new LongAdder();

  JsonObject toJson(long nearSize, Breaker breaker, String redisPolicy, boolean subscribed, int backlog, boolean pgUp) {
    return new JsonObject()
        .put("near", new JsonObject()
            .put("hits", nearHits.sum())
            .put("misses", nearMisses.sum())
            .put("fills", nearFills.sum())
            .put("fillsRefused", nearFillsRefused.sum())
            .put("invalidations", nearInvalidations.sum())
            .put("size", nearSize))
        .put("redis", new JsonObject()
            .put("hits", redisHits.sum())
            .put("misses", redisMisses.sum())
            .put("errors", redisErrors.sum())
            .put("timeouts", redisTimeouts.sum())
            .put("skipped", redisSkipped.sum())
            .put("fills", redisFills.sum())
            .put("fillsRefused", redisFillsRefused.sum())
            .put("outdated", redisOutdated.sum())
            .put("invalidations", redisInvalidations.sum())
            .put("invalidationRounds", redisInvalidationRounds.sum())
            .put("invalidationsAlreadyDone", redisInvalidationsDone.sum())
            .put("invalidationBacklog", backlog)
            .put("pubsubReceived", pubsubReceived.sum())
            .put("subscribed", subscribed)
            .put("maxmemoryPolicy", redisPolicy)
            .put("breaker", new JsonObject()
                .put("state", breaker.state().name())
                .put("timesOpened", breaker.timesOpened())))
        .put("postgresql", new JsonObject()
            .put("up", pgUp)
            .put("reads", pgReads.sum())
            .put("notFound", pgNotFound.sum())
            .put("errors", pgErrors.sum()))
        .put("fallbacks", new JsonObject()
            .put("redisToPostgresql", fallbacksToPg.sum())
            .put("staleServed", staleServed.sum())
            .put("unavailable", unavailable.sum()));
  }
}
