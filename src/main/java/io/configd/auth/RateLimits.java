package io.configd.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.configd.model.RateLimitedException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The rate limits of one node, in memory, shared by its API verticle instances (the node builds one): writes per principal and
 * per client address; failed authentications per client address. Buckets idle for ten minutes are forgotten (a full
 * bucket is the same as none).
 *
 * <p>A failure limit never refuses a valid credential: every credential is verified, and only a failed one is counted
 * and, once its address used up its failures, answered 429 instead of 401. So an attacker behind the same address
 * (a load balancer) as honest clients locks out nobody but itself, and nothing is keyed by a part of a token, which a
 * stranger could share with a victim's.
 */
public final class RateLimits {

  /** The limits a request can be refused by, as /metrics labels them. */
  public enum Limit {
    WRITES_PER_PRINCIPAL("writes_per_principal"),
    WRITES_PER_ADDRESS("writes_per_address"),
    FAILED_AUTHENTICATIONS("failed_authentications");

    private final String label;

    Limit(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final AuthSettings.Limits limits;
  private final Map<Limit, LongAdder> refusals = new EnumMap<>(Limit.class);
  private final Cache<String, TokenBucket> buckets = Caffeine.newBuilder()
      .expireAfterAccess(Duration.ofMinutes(10)).maximumSize(200_000).build();

  public RateLimits(AuthSettings.Limits limits) {
    this.limits = limits;
    for (Limit limit : Limit.values()) {
      refusals.put(limit, new LongAdder());
    }
  }

  /** How many requests this limit refused since the node started. */
  public long refusals(Limit limit) {
    return refusals.get(limit).sum();
  }

  /**
   * Counts a failed authentication against the client's address: null while the address has failures left, else the
   * refusal to answer instead of the failure.
   */
  public RateLimitedException failedAuthentication(String address) {
    long wait = failedAuth("address:" + address).take();
    if (wait == 0) {
      return null;
    }
    refusals.get(Limit.FAILED_AUTHENTICATIONS).increment();
    return new RateLimitedException("too many failed authentications from this client; retry in " + wait + " s", wait);
  }

  /** Counts a write; refuses it when the principal or the client address is over its limit. */
  public void write(String principal, String address) {
    long wait = bucket("write:" + principal, () -> new TokenBucket(limits.writeBurst(), limits.writesPerSecond())).take();
    if (wait > 0) {
      refusals.get(Limit.WRITES_PER_PRINCIPAL).increment();
      throw new RateLimitedException("'" + principal + "' is over its write limit of " + limits.writesPerSecond()
          + " per second; retry in " + wait + " s", wait);
    }
    wait = bucket("write-address:" + address,
        () -> new TokenBucket(limits.addressWriteBurst(), limits.addressWritesPerSecond())).take();
    if (wait > 0) {
      refusals.get(Limit.WRITES_PER_ADDRESS).increment();
      throw new RateLimitedException("this client address is over its write limit of " + limits.addressWritesPerSecond()
          + " per second; retry in " + wait + " s", wait);
    }
  }

  /** A bucket for the refused frames of one bridge socket (not shared: a socket is one client). */
  public TokenBucket bridgeRefusals() {
    return new TokenBucket(limits.bridgeRefusalBurst(), limits.bridgeRefusalsPerMinute() / 60);
  }

  private TokenBucket failedAuth(String key) {
    return bucket("failed:" + key, () -> new TokenBucket(limits.failedAuthBurst(), limits.failedAuthPerMinute() / 60));
  }

  private TokenBucket bucket(String key, Supplier<TokenBucket> create) {
    return buckets.get(key, k -> create.get());
  }
}
