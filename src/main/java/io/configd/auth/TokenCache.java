package io.configd.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.configd.model.Principal;
import java.time.Duration;

/**
 * The configd tokens one node has verified, by hash, shared by its API verticle instances (the node builds one):
 * trusted for {@code tokenCacheMillis}, then looked up again; the ones verified within {@code tokenStaleMillis}
 * are still accepted while PostgreSQL cannot be asked (as cached reads are served stale then).
 */
public final class TokenCache {

  final Cache<String, Principal> verified;
  final Cache<String, Principal> lastKnown;

  public TokenCache(AuthSettings settings) {
    verified = Caffeine.newBuilder().expireAfterWrite(Duration.ofMillis(settings.tokenCacheMillis()))
        .maximumSize(100_000).build();
    lastKnown = Caffeine.newBuilder().expireAfterWrite(Duration.ofMillis(settings.tokenStaleMillis()))
        .maximumSize(100_000).build();
  }

  void put(String hash, Principal principal) {
    verified.put(hash, principal);
    lastKnown.put(hash, principal);
  }

  void revoked(String tokenId) {
    verified.asMap().values().removeIf(principal -> tokenId.equals(principal.tokenId()));
    lastKnown.asMap().values().removeIf(principal -> tokenId.equals(principal.tokenId()));
  }
}
