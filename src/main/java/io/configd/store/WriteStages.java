package io.configd.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where a write's time goes inside the node, stage by stage, for GET /v1/stats/writes (and so for {@code bin/bench
 * writes}): one sample per write and stage, in buckets a quarter of an octave wide (a percentile is its bucket's
 * upper bound, at most 19 % above the true figure). Cumulative since the node started; a reader that wants one window
 * subtracts the counts it read before it. Thread-safe, a few nanoseconds per sample.
 */
public final class WriteStages {

  /** The stages of one write, in the order it passes them. */
  public enum Stage {
    /** The request's first handler → the write handed to the pipeline: HTTP, authentication, body, grants, parsing. */
    REQUEST("request"),
    /** → sealed and admitted by the guards (schemas, approval policies): joins the queue. */
    GUARD("guard"),
    /** → its batch sent to PostgreSQL: waiting for a batch in flight to commit. */
    QUEUED("queued"),
    /** → the batch function's answer: the statement, the commit and its flush. */
    BATCH("batch"),
    /** → the write's outcome on the caller's event loop. */
    SETTLE("settle"),
    /** → this node's cache told of the version (read-your-writes). */
    CACHE("cache"),
    /** → the answer written to the socket. */
    ANSWER("answer"),
    /** The request's first handler → the answer written: the sum of the others. */
    TOTAL("total");

    private final String wire;

    Stage(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  private static final int PER_OCTAVE = 4;
  /** From 1 µs to 2^26 µs (67 s); the last bucket holds anything longer. */
  private static final int BUCKETS = 26 * PER_OCTAVE + 1;

  private final AtomicLongArray[] counts = new AtomicLongArray[Stage.values().length];

  public WriteStages() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new AtomicLongArray(BUCKETS);
    }
  }

  public void record(Stage stage, long nanos) {
    counts[stage.ordinal()].incrementAndGet(bucket(nanos));
  }

  /** Records the time since {@code startedNanos} (a {@link System#nanoTime()}) and returns now. */
  public long since(Stage stage, long startedNanos) {
    long now = System.nanoTime();
    record(stage, now - startedNanos);
    return now;
  }

  static int bucket(long nanos) {
    double micros = nanos / 1_000.0;
    if (micros <= 1) {
      return 0;
    }
    int bucket = (int) Math.ceil(Math.log(micros) / Math.log(2) * PER_OCTAVE);
    return Math.min(bucket, BUCKETS - 1);
  }

  /** The upper bound of a bucket, in milliseconds. */
  public static double upperMillis(int bucket) {
    return Math.pow(2, (double) bucket / PER_OCTAVE) / 1_000.0;
  }

  /** Per stage: samples, p50, p90, p99 (ms) and the bucket counts ({@link #upperMillis} gives their bounds). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    for (Stage stage : Stage.values()) {
      long[] buckets = new long[BUCKETS];
      for (int i = 0; i < BUCKETS; i++) {
        buckets[i] = counts[stage.ordinal()].get(i);
      }
      json.put(stage.wire(), figures(buckets));
    }
    return json;
  }

  /** Samples and percentiles of a bucket array (as {@link #toJson} gives, or a difference of two). */
  public static JsonObject figures(long[] buckets) {
    long samples = 0;
    JsonArray counts = new JsonArray();
    for (long count : buckets) {
      samples += count;
      counts.add(count);
    }
    JsonObject figures = new JsonObject().put("samples", samples);
    if (samples > 0) {
      figures.put("p50", percentile(buckets, samples, 0.50)).put("p90", percentile(buckets, samples, 0.90))
          .put("p99", percentile(buckets, samples, 0.99));
    }
    return figures.put("buckets", counts);
  }

  private static double percentile(long[] buckets, long samples, double fraction) {
    long rank = (long) Math.ceil(samples * fraction);
    long seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (seen >= rank) {
        return Math.round(upperMillis(i) * 1_000) / 1_000.0;
      }
    }
    return upperMillis(buckets.length - 1);
  }
}
