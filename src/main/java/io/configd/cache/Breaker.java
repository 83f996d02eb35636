package io.configd.cache;

import java.util.function.LongSupplier;

/**
 * A small circuit breaker in front of Redis. Closed: every call goes through, and {@code failureThreshold}
 * failures in a row open it. Open: calls are refused without touching Redis. After {@code resetMs} one call is let
 * through as a probe (half-open); its success closes the breaker, its failure opens it again.
 * Used from one event loop only, so it needs no locking.
 */
final class Breaker {

  enum State { CLOSED, OPEN, HALF_OPEN }

  interface Listener {
    void changed(State from, State to);
  }

  private final int failureThreshold;
  private final long resetMs;
  private final LongSupplier clock;
  private final Listener listener;
  private State state = State.CLOSED;
  private int failuresInARow;
  private long openedAt;
  private boolean probeInFlight;
  private long opened;

  Breaker(int failureThreshold, long resetMs, LongSupplier clock, Listener listener) {
    this.failureThreshold = failureThreshold;
    this.resetMs = resetMs;
    this.clock = clock;
    this.listener = listener;
  }

  /** Whether a call may go to Redis now; in half-open state only the single probe may. */
  boolean allow() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (clock.getAsLong() - openedAt < resetMs) {
          return false;
        }
        move(State.HALF_OPEN);
        probeInFlight = true;
        return true;
      default:
        if (probeInFlight) {
          return false;
        }
        probeInFlight = true;
        return true;
    }
  }

  void succeeded() {
    failuresInARow = 0;
    probeInFlight = false;
    if (state != State.CLOSED) {
      move(State.CLOSED);
    }
  }

  void failed() {
    failuresInARow++;
    probeInFlight = false;
    if (state == State.HALF_OPEN || state == State.CLOSED && failuresInARow >= failureThreshold) {
      openedAt = clock.getAsLong();
      opened++;
      move(State.OPEN);
    }
  }

  State state() {
    return state;
  }

  /** How many times the breaker has opened since start. */
  long timesOpened() {
    return opened;
  }

  private void move(State to) {
    State from = state;
    state = to;
    listener.changed(from, to);
  }
}
