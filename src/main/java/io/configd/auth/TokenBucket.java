package io.configd.auth;

/** A token bucket: up to {@code capacity} at once, refilled at {@code perSecond}. Thread-safe. */
public final class TokenBucket {

  private final double capacity;
  private final double perNano;
  private double available;
  private long refilledAt;

  TokenBucket(int capacity, double perSecond) {
    this.capacity = Math.max(1, capacity);
    this.perNano = perSecond / 1e9;
    this.available = this.capacity;
    this.refilledAt = System.nanoTime();
  }

  /** Takes one; returns 0 when it could, otherwise the seconds until one is there (nothing is taken). */
  public synchronized long take() {
    refill();
    if (available >= 1) {
      available -= 1;
      return 0;
    }
    return secondsUntilOne();
  }

  /** 0 when one is there (nothing is taken), otherwise the seconds until one is. */
  public synchronized long peek() {
    refill();
    return available >= 1 ? 0 : secondsUntilOne();
  }

  private long secondsUntilOne() {
    return perNano <= 0 ? 3600 : Math.max(1, (long) Math.ceil((1 - available) / perNano / 1e9));
  }

  private void refill() {
    long now = System.nanoTime();
    available = Math.min(capacity, available + (now - refilledAt) * perNano);
    refilledAt = now;
  }
}
