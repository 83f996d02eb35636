package io.configd.api;

import io.configd.store.WriteStages;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stages of an HTTP write around the pipeline's own (GET /v1/stats/writes): the request until the write is handed
 * to the pipeline, the cache told of what it recorded, the answer written, and the whole.
 */
final class WriteTiming {

  private WriteTiming() {
  }

  /** {@code write} handed to the pipeline now, then {@code told} to the cache, each timed into {@code stages}. */
  static <T, R> Future<R> timed(RoutingContext ctx, WriteStages stages, Supplier<Future<T>> write,
                                Function<T, Future<R>> told) {
    long arrived = AccessLog.arrivedNanos(ctx);
    stages.since(WriteStages.Stage.REQUEST, arrived);
    return write.get().compose(recorded -> {
      long committed = System.nanoTime();
      return told.apply(recorded).onSuccess(done -> {
        long toldAt = stages.since(WriteStages.Stage.CACHE, committed);
        ctx.addEndHandler(ended -> {
          stages.since(WriteStages.Stage.ANSWER, toldAt);
          stages.since(WriteStages.Stage.TOTAL, arrived);
        });
      });
    });
  }
}
