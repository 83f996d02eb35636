package io.configd;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waits for what an asynchronous event makes true, polling with a deadline; never a fixed sleep. A probe
 * that throws counts as not yet; on timeout the error names what it waited for and the last answer.
 */
public final class Eventually {

  private static final long POLL_MILLIS = 20;

  private Eventually() {
  }

  public static void await(String what, Duration timeout, Callable<Boolean> condition) {
    value(what, timeout, condition, Boolean.TRUE::equals);
  }

  /** Polls {@code probe} until {@code done} accepts its answer, and returns that answer. */
  public static <T> T value(String what, Duration timeout, Callable<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    Exception lastFailure = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.call();
        if (done.test(last)) {
          return last;
        }
      } catch (Exception e) {
        lastFailure = e;
      }
      try {
        Thread.sleep(POLL_MILLIS); // the polling interval of a wait with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
    AssertionError error = new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
        + "; last seen: " + last);
    if (lastFailure != null) {
      error.addSuppressed(lastFailure);
    }
    throw error;
  }
}
