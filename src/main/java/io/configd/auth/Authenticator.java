package io.configd.auth;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Principal;
import io.configd.store.TokenStore;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@code Authorization: Bearer …} value into a principal, or fails with UNAUTHORIZED. A value
 * starting with "cfd_" is a configd token, looked up by its SHA-256; anything else is a JWT. One instance
 * per API verticle instance (one event loop). Verified configd tokens are cached per node for
 * {@code tokenCacheMillis} ({@link TokenCache}), so a busy client does not cost a PostgreSQL query per
 * request: a revoked token is refused at once on the node that revoked it (and on clustered nodes when
 * the revocation message reaches them) and on every node within that time. Expiry is
 * checked on every call. Neither the token nor its hash is ever logged or put in a failure's message.
 */
public final class Authenticator {

  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private static final Pattern BEARER = Pattern.compile("(?i)bearer +([\\x21-\\x7e]{1,8192}) *");

  private final TokenStore tokens;
  private final JwtVerifier jwt;
  private final TokenCache cache;
  /** Look-ups under way, by hash: a thousand sockets arriving with one token cost one query. */
  private final Map<String, Future<Principal>> pending = new HashMap<>();

  /**
   * @param jwt   null when the node accepts no JWTs
   * @param cache the node's one token cache, shared by its API instances
   */
  public Authenticator(TokenStore tokens, JwtVerifier jwt, TokenCache cache) {
    this.tokens = tokens;
    this.jwt = jwt;
    this.cache = cache;
  }

  /** The bearer value of an Authorization header, or null when there is none or it is not a bearer. */
  public static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    var matcher = BEARER.matcher(authorization);
    return matcher.matches() ? matcher.group(1) : null;
  }

  /** Authenticates an Authorization header's value. */
  public Future<Principal> authenticate(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return unauthorized("send a token: Authorization: Bearer <token>");
    }
    String bearer = bearer(authorization);
    if (bearer == null) {
      return unauthorized("the Authorization header is malformed; send Authorization: Bearer <token>");
    }
    return verify(bearer);
  }

  /** Verifies a bearer value itself: a configd token or a JWT. */
  public Future<Principal> verify(String bearer) {
    return verify(bearer, Long.MAX_VALUE);
  }

  /**
   * Checks an Authorization value again, as the bridge does every {@code bridgeRecheckMillis}: a configd token's
   * cached verification counts only while it is younger than {@code maxAgeMillis}, so that the recheck period and
   * the cache time together stay within the cache time (a revocation reaches every socket of every node within it).
   */
  public Future<Principal> recheck(String authorization, long maxAgeMillis) {
    String bearer = bearer(authorization);
    return bearer == null ? unauthorized("the Authorization header is malformed") : verify(bearer, maxAgeMillis);
  }

  private Future<Principal> verify(String bearer, long maxAgeMillis) {
    if (ApiTokens.isConfigdToken(bearer)) {
      return configdToken(ApiTokens.hash(bearer), maxAgeMillis).compose(Authenticator::unexpired);
    }
    if (jwt == null) {
      return unauthorized("unknown token; this node accepts configd tokens (cfd_…) and no JWTs (no auth.jwt keys)");
    }
    return jwt.verify(bearer).compose(Authenticator::unexpired);
  }

  /** Forgets a revoked token at once, wherever it is cached on this instance; look-ups under way are not joined. */
  public void revoked(String tokenId) {
    cache.revoked(tokenId);
    pending.clear();
  }

  private Future<Principal> configdToken(String hash, long maxAgeMillis) {
    Principal cached = cache.verified.getIfPresent(hash);
    if (cached != null && (maxAgeMillis == Long.MAX_VALUE
        || cache.age(hash).map(age -> age.toMillis() < maxAgeMillis).orElse(false))) {
      return Future.succeededFuture(cached);
    }
    Future<Principal> lookup = pending.get(hash);
    if (lookup == null) {
      lookup = lookUp(hash).onComplete(done -> pending.remove(hash));
      if (!lookup.isComplete()) {
        pending.put(hash, lookup);
      }
    }
    return lookup;
  }

  private Future<Principal> lookUp(String hash) {
    long revocationsBefore = cache.revocations();
    return tokens.findByHash(hash).recover(failure -> {
      Principal known = cache.lastKnown.getIfPresent(hash);
      if (known == null) {
        return Future.failedFuture(failure);
      }
      LOG.warn("PostgreSQL did not answer a token look-up ({}); accepting '{}' as verified earlier", failure.toString(),
          known.name());
      return Future.succeededFuture(Optional.of(new TokenStore.Found(UUID.fromString(known.tokenId()), known.name(),
          known.grants(), known.expiresAt(), null)));
    }).compose(found -> {
      if (found.isEmpty()) {
        return unauthorized("unknown token");
      }
      TokenStore.Found token = found.get();
      if (token.revokedAt() != null) {
        return unauthorized("the token '" + token.name() + "' was revoked");
      }
      Principal principal = new Principal(token.name(), token.id().toString(), token.grants(), token.expiresAt());
      cache.put(hash, principal, revocationsBefore);
      tokens.touch(token.id()).onFailure(failure -> LOG.debug("Could not record the use of token '{}': {}",
          token.name(), failure.toString()));
      return Future.succeededFuture(principal);
    });
  }

  private static Future<Principal> unexpired(Principal principal) {
    if (principal.expired(Instant.now())) {
      return unauthorized("the token of '" + principal.name() + "' expired at " + principal.expiresAt());
    }
    return Future.succeededFuture(principal);
  }

  private static <T> Future<T> unauthorized(String detail) {
    return Future.failedFuture(new ConfigdException(Failure.UNAUTHORIZED, detail));
  }
}
