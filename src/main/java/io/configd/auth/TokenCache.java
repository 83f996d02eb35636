package io.configd.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.configd.model.Principal;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;

/**
 * The configd tokens one node has verified, by hash, shared by its API verticle instances: trusted for
 * {@code tokenCacheMillis}, then looked up again; the ones verified within {@code tokenStaleMillis} are
 * still accepted while PostgreSQL cannot be asked (as cached reads are served stale then).
 */
final class TokenCache implements Shareable {

  final Cache<String, Principal> verified;
  final Cache<String, Principal> lastKnown;

  private TokenCache(AuthSettings settings) {
    verified = Caffeine.newBuilder().expireAfterWrite(Duration.ofMillis(settings.tokenCacheMillis()))
        .maximumSize(100_000).build();
    lastKnown = Caffeine.newBuilder().expireAfterWrite(Duration.ofMillis(settings.tokenStaleMillis()))
        .maximumSize(100_000).build();
  }

  /** The cache of the node {@code node} (its schema and name: nodes in one JVM never share it). */
  static TokenCache of(Vertx vertx, String node, AuthSettings settings) {
    return (TokenCache) vertx.sharedData().getLocalMap("configd.auth").computeIfAbsent("tokens:" + node,
        k -> new TokenCache(settings));
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
