package io.configd.model;

/** A request refused by a rate limit, with how long to wait before trying again (the Retry-After header). */
public final class RateLimitedException extends ConfigdException {

  private final long retryAfterSeconds;

  public RateLimitedException(String detail, long retryAfterSeconds) {
    super(Failure.TOO_MANY_REQUESTS, detail);
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
