package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * C requests in flight for a warm-up and then T measured seconds: each answer sends the next request.
 * A closed loop measures throughput and service time; it is not a fixed-rate test, so coordinated
 * omission does not apply (there is no schedule for a slow answer to hide behind). A request supplier may run
 * out of work (it returns null, e.g. when every cold key has been read once): the run then ends early and its
 * throughput is over the time it actually ran.
 */
final class ClosedLoop {

  /** What one run measured: answers with the expected status, others, and the latency of the good ones. */
  /** {@code unanswered}: requests still without an answer (nor a timeout) 40 s after the end; reported, not waited for. */
  record Outcome(long ok, long errors, double seconds, Histogram micros, boolean ranOut, long unanswered) {
    double throughput() {
      return ok / seconds;
    }

    /** Every request of the window answered as expected, and at least one. */
    boolean clean() {
      return errors == 0 && unanswered == 0 && ok > 0;
    }

    /**
     * What a write scenario prints and records (configd's PUTs and transactions, etcd's puts): the throughput row,
     * {@code rate} in the scenario's units, and the latency of the good answers under {@code latencyLabel}.
     */
    void report(JsonObject result, String rate, String latencyLabel) {
      Report.row("throughput", String.format("%s (%,d answered 200, %d errors, %d unanswered)", rate, ok, errors,
          unanswered));
      Report.latencyHeader("ms");
      result.put("throughputPerSecond", Math.round(throughput())).put("ok", ok).put("errors", errors)
          .put("unanswered", unanswered).put("latencyMs", Report.latencyRow(latencyLabel, micros));
    }
  }

  private ClosedLoop() {
  }

  /**
   * {@code request} returns the HTTP status, or null when there is nothing left to send; a request counts when it
   * was sent inside the measured window.
   */
  static Outcome run(Vertx vertx, int concurrency, double warmupSeconds, double seconds,
                     Supplier<Future<Integer>> request, int okStatus) {
    long measureFrom = System.nanoTime() + (long) (warmupSeconds * 1e9);
    long end = measureFrom + (long) (seconds * 1e9);
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(concurrency);
    AtomicLong lastAnswer = new AtomicLong(measureFrom);
    AtomicBoolean ranOut = new AtomicBoolean();
    for (int i = 0; i < concurrency; i++) {
      new Worker(vertx, request, okStatus, measureFrom, end, recorder, ok, errors, done, lastAnswer, ranOut).next();
    }
    long unanswered = 0;
    try {
      if (!done.await((long) (warmupSeconds + seconds) + 40, TimeUnit.SECONDS)) {
        unanswered = done.getCount();
        System.out.println("  WARNING: " + unanswered + " request(s) neither answered nor timed out 40 s after the end "
            + "of the run; counted as unanswered");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    double ran = ranOut.get() ? Math.min(seconds, Math.max(1e-3, (lastAnswer.get() - measureFrom) / 1e9)) : seconds;
    return new Outcome(ok.get(), errors.get(), ran, recorder.getIntervalHistogram(), ranOut.get(), unanswered);
  }

  private static final class Worker {
    private final Vertx vertx;
    private final Supplier<Future<Integer>> request;
    private final int okStatus;
    private final long measureFrom;
    private final long end;
    private final Recorder recorder;
    private final AtomicLong ok;
    private final AtomicLong errors;
    private final CountDownLatch done;
    private final AtomicLong lastAnswer;
    private final AtomicBoolean ranOut;

    Worker(Vertx vertx, Supplier<Future<Integer>> request, int okStatus, long measureFrom, long end, Recorder recorder,
           AtomicLong ok, AtomicLong errors, CountDownLatch done, AtomicLong lastAnswer, AtomicBoolean ranOut) {
      this.vertx = vertx;
      this.request = request;
      this.okStatus = okStatus;
      this.measureFrom = measureFrom;
      this.end = end;
      this.recorder = recorder;
      this.ok = ok;
      this.errors = errors;
      this.done = done;
      this.lastAnswer = lastAnswer;
      this.ranOut = ranOut;
    }

    void next() {
      long sent = System.nanoTime();
      if (sent >= end) {
        done.countDown();
        return;
      }
      Future<Integer> pending = request.get();
      if (pending == null) {
        ranOut.set(true);
        done.countDown();
        return;
      }
      pending.onComplete(answer -> {
        long now = System.nanoTime();
        long took = now - sent;
        lastAnswer.accumulateAndGet(now, Math::max);
        boolean good = answer.succeeded() && answer.result() == okStatus;
        if (sent >= measureFrom) {
          if (good) {
            recorder.recordValue(Math.max(0, took / 1000));
            ok.incrementAndGet();
          } else {
            errors.incrementAndGet();
          }
        }
        // A refused connection fails at once: go round through the event loop rather than recurse.
        if (good) {
          next();
        } else {
          vertx.setTimer(10, id -> next());
        }
      });
    }
  }
}
