package io.configd;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that an asynchronous event makes true, with a deadline; never a fixed sleep. */
public final class Eventually {

  private Eventually() {
  }

  public static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(10); // polling interval of the wait, not a delay the test relies on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
