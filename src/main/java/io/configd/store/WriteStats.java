package io.configd.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** Counters of the write pipeline, for GET /v1/stats/writes: how well concurrent writes share a commit. */
final class WriteStats {

  /** Upper bounds of the batch-size buckets (items per batch); the last bucket holds the rest. */
  private static final int[] BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong items = new AtomicLong();
  private final AtomicLong ops = new AtomicLong();
  private final AtomicLong failedBatches = new AtomicLong();
  private final AtomicLong splitBatches = new AtomicLong();
  private final AtomicLong largest = new AtomicLong();
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicLongArray sizes = new AtomicLongArray(BOUNDS.length + 1);

  void committed(int batchItems, int batchOps, long elapsedNanos) {
    batches.incrementAndGet();
    items.addAndGet(batchItems);
    ops.addAndGet(batchOps);
    nanos.addAndGet(elapsedNanos);
    largest.accumulateAndGet(batchItems, Math::max);
    int bucket = 0;
    while (bucket < BOUNDS.length && batchItems > BOUNDS[bucket]) {
      bucket++;
    }
    sizes.incrementAndGet(bucket);
  }

  void failed() {
    failedBatches.incrementAndGet();
  }

  void split() {
    splitBatches.incrementAndGet();
  }

  JsonObject toJson(int queued, int inFlight) {
    long count = batches.get();
    JsonArray histogram = new JsonArray();
    for (int i = 0; i <= BOUNDS.length; i++) {
      histogram.add(new JsonObject().put("upTo", i < BOUNDS.length ? BOUNDS[i] : null).put("batches", sizes.get(i)));
    }
    return new JsonObject()
        .put("batches", count)
        .put("writes", items.get())
        .put("ops", ops.get())
        .put("writesPerBatch", count == 0 ? 0.0 : (double) items.get() / count)
        .put("largestBatch", largest.get())
        .put("meanBatchMillis", count == 0 ? 0.0 : nanos.get() / 1e6 / count)
        .put("failedBatches", failedBatches.get())
        .put("splitBatches", splitBatches.get())
        .put("queued", queued)
        .put("inFlight", inFlight)
        .put("batchSizes", histogram);
  }
}
