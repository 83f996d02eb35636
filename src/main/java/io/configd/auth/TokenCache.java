package io.configd.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.configd.model.Principal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The configd tokens one node has verified, by hash, shared by its API verticle instances (the node builds one):
 * trusted for {@code tokenCacheMillis}, then looked up again; the ones verified within {@code tokenStaleMillis}
 * are still accepted while PostgreSQL cannot be asked (as cached reads are served stale then).
 */
public final class TokenCache {

  final Cache<String, Principal> verified;
  final Cache<String, Principal> lastKnown;
  /** Counts revocations: a look-up that began before one must not cache what it read (it may be the revoked token). */
  private final AtomicLong revocations = new AtomicLong();

  public TokenCache(AuthSettings settings) {
    verified = Caffeine.newBuilder().expireAfterWrite(Duration.ofMillis(settings.tokenCacheMillis()))
        .maximumSize(100_000).build();
    lastKnown = Caffeine.newBuilder().expireAfterWrite(Duration.ofMillis(settings.tokenStaleMillis()))
        .maximumSize(100_000).build();
  }

  long revocations() {
    return revocations.get();
  }

  /** Caches a look-up's answer, unless a token was revoked since the look-up began ({@code revocationsBefore}). */
  void put(String hash, Principal principal, long revocationsBefore) {
    if (revocations.get() == revocationsBefore) {
      verified.put(hash, principal);
      lastKnown.put(hash, principal);
    }
  }

  /** How long ago the token was verified, when it is cached. */
  Optional<Duration> age(String hash) {
    return verified.policy().expireAfterWrite().flatMap(expiry -> expiry.ageOf(hash));
  }

  void revoked(String tokenId) {
    revocations.incrementAndGet();
    verified.asMap().values().removeIf(principal -> tokenId.equals(principal.tokenId()));
    lastKnown.asMap().values().removeIf(principal -> tokenId.equals(principal.tokenId()));
  }
}
