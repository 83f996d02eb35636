package io.configd.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential reconnect delays with jitter, so a fleet cut off at once does not reconnect in lock-step. */
record Backoff(Duration initial, Duration max, double jitter) {

  /** The delay before attempt {@code attempt} (0 for the first retry), in milliseconds. */
  long delayMillis(int attempt) {
    double full = Math.min(max.toMillis(), initial.toMillis() * Math.pow(2, Math.min(attempt, 30)));
    double cut = full * jitter * ThreadLocalRandom.current().nextDouble();
    return Math.max(1, Math.round(full - cut));
  }
}
