package io.configd.chaos;

import io.configd.Eventually;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls with a deadline (Eventually), failing as an IllegalStateException: the run, not a test assertion, failed. */
final class Waits {

  private Waits() {
  }

  static void until(String what, int seconds, Callable<Boolean> condition) {
    try {
      Eventually.await(what, Duration.ofSeconds(seconds), condition);
    } catch (AssertionError e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Waits until the condition holds or the deadline passes; true when it held. */
  static boolean within(int seconds, Callable<Boolean> condition) {
    try {
      Eventually.await("", Duration.ofSeconds(seconds), condition);
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  /** The pause between a fault and its repair, and between rounds: a schedule, not a wait for an event. */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
