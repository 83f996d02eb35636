package io.configd.bridge;

import io.configd.auth.Authenticator;
import io.configd.auth.RateLimits;
import io.configd.model.Access;
import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigdException;
import io.configd.model.Environments;
import io.configd.model.Failure;
import io.configd.model.Principal;
import io.configd.model.RateLimitedException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Who a bridge client is and what it may receive. A session authenticates with the first frame (or
 * upgrade request) carrying {@code Authorization: Bearer …} in its headers and keeps that principal; a
 * frame with another token replaces it. A session's subscriptions always lie inside its principal's
 * read grants: when the principal changes, expires or is revoked, the ones outside are dropped.
 */
final class BridgeAccess {

  /** A subscription target: config.&lt;env&gt; (path "") or config.&lt;env&gt;.&lt;key prefix&gt;. */
  record Target(String env, String path) {
  }

  private final Authenticator authenticator;
  private final RateLimits limits;
  private final Environments environments;

  BridgeAccess(Authenticator authenticator, RateLimits limits, Environments environments) {
    this.authenticator = authenticator;
    this.limits = limits;
    this.environments = environments;
  }

  /** The Authorization value of a frame's headers, null when it has none. */
  static String authorization(JsonObject frame) {
    if (!(frame.getValue("headers") instanceof JsonObject headers)) {
      return null;
    }
    Object value = headers.getValue("Authorization", headers.getValue("authorization"));
    return value instanceof String text ? text : null;
  }

  /**
   * Authenticates the session with this Authorization value, unless it already holds it. Completes with
   * null when the session may go on, or with the refusal ({@code auth_error}, {@code too_many_requests},
   * {@code unavailable}) and why.
   */
  Future<ConfigdException> authenticate(BridgeSession session, String authorization, Consumer<BridgeSession> changed) {
    if (authorization.equals(session.authorization) && session.principal != null) {
      return Future.succeededFuture(null);
    }
    String bearer = Authenticator.bearer(authorization);
    try {
      limits.checkNotBlocked(session.host(), bearer);
    } catch (RateLimitedException e) {
      return Future.succeededFuture(e);
    }
    return authenticator.authenticate(authorization)
        .map(principal -> {
          session.principal = principal;
          session.authorization = authorization;
          changed.accept(session);
          return (ConfigdException) null;
        })
        .otherwise(failure -> {
          if (failure instanceof ConfigdException e && e.failure() == Failure.UNAUTHORIZED) {
            limits.failedAuthentication(session.host(), bearer);
            session.principal = null;
            session.authorization = null;
            changed.accept(session);
            return e;
          }
          return new ConfigdException(Failure.UNAVAILABLE, "the token could not be checked now; retry shortly");
        });
  }

  /** The session's principal if it has one that has not expired. */
  Principal current(BridgeSession session) {
    if (session.principal != null && session.principal.expired(Instant.now())) {
      session.principal = null;
      session.authorization = null;
    }
    return session.principal;
  }

  /**
   * Checks the session's credential again (expiry; revocation of a configd token, within the token cache
   * time). Completes with the reason when the session lost its principal, else with null.
   */
  Future<String> recheck(BridgeSession session) {
    if (session.principal == null) {
      return Future.succeededFuture(null);
    }
    if (current(session) == null) {
      return Future.succeededFuture("the token expired");
    }
    if (session.principal.tokenId() == null) {
      return Future.succeededFuture(null); // a JWT cannot be revoked; it expires
    }
    String authorization = session.authorization;
    return authenticator.authenticate(authorization)
        .map(principal -> (String) null)
        .otherwise(failure -> {
          if (failure instanceof ConfigdException e && e.failure() == Failure.UNAUTHORIZED
              && authorization.equals(session.authorization)) {
            session.principal = null;
            session.authorization = null;
            return e.getMessage();
          }
          return null; // PostgreSQL unreachable: keep the session, check again next time
        });
  }

  /** The registration target of an address, or null when it is not config.&lt;env&gt;[.&lt;key prefix&gt;]. */
  Target target(String address) {
    if (!address.startsWith(Addresses.CHANGE_PREFIX)) {
      return null;
    }
    String rest = address.substring(Addresses.CHANGE_PREFIX.length());
    int dot = rest.indexOf('.');
    String env = dot < 0 ? rest : rest.substring(0, dot);
    if (!environments.names().contains(env)) {
      return null;
    }
    if (dot < 0) {
      return new Target(env, "");
    }
    try {
      return new Target(env, ConfigKey.parse(rest.substring(dot + 1)).value());
    } catch (ConfigdException e) {
      return null;
    }
  }

  /** True when the principal may read every key the address carries. */
  boolean mayReceive(Principal principal, String address) {
    Target target = target(address);
    return principal != null && target != null && principal.mayAll(Access.READ, target.env(), target.path());
  }

  /** The session's subscriptions its current principal may no longer receive. */
  List<String> outsideGrants(BridgeSession session) {
    Principal principal = current(session);
    return session.addresses.stream().filter(address -> !mayReceive(principal, address)).sorted().toList();
  }
}
