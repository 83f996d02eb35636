package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * C requests in flight for a warm-up and then T measured seconds: each answer sends the next request.
 * A closed loop measures throughput and service time; it is not a fixed-rate test, so coordinated
 * omission does not apply (there is no schedule for a slow answer to hide behind).
 */
final class ClosedLoop {

  /** What one run measured: answers with the expected status, others, and the latency of the good ones. */
  record Outcome(long ok, long errors, double seconds, Histogram micros) {
    double throughput() {
      return ok / seconds;
    }
  }

  private ClosedLoop() {
  }

  /** {@code request} returns the HTTP status; a request counts when it was sent inside the measured window. */
  static Outcome run(Vertx vertx, int concurrency, double warmupSeconds, double seconds,
                     Supplier<Future<Integer>> request, int okStatus) {
    long measureFrom = System.nanoTime() + (long) (warmupSeconds * 1e9);
    long end = measureFrom + (long) (seconds * 1e9);
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      new Worker(vertx, request, okStatus, measureFrom, end, recorder, ok, errors, done).next();
    }
    try {
      if (!done.await((long) (warmupSeconds + seconds) + 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("requests still unanswered 60 s after the end of the run");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return new Outcome(ok.get(), errors.get(), seconds, recorder.getIntervalHistogram());
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

    Worker(Vertx vertx, Supplier<Future<Integer>> request, int okStatus, long measureFrom, long end, Recorder recorder,
           AtomicLong ok, AtomicLong errors, CountDownLatch done) {
      this.vertx = vertx;
      this.request = request;
      this.okStatus = okStatus;
      this.measureFrom = measureFrom;
      this.end = end;
      this.recorder = recorder;
      this.ok = ok;
      this.errors = errors;
      this.done = done;
    }

    void next() {
      long sent = System.nanoTime();
      if (sent >= end) {
        done.countDown();
        return;
      }
      request.get().onComplete(answer -> {
        long took = System.nanoTime() - sent;
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
