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
import java.util.List;

/**
 * Who a bridge client is and what it may do, as decisions. A session authenticates with the first frame (or upgrade
 * request) carrying {@code Authorization: Bearer …} in its headers and keeps that principal; a frame with another
 * token replaces it. A session's subscriptions always lie inside its principal's read grants: when the principal
 * changes, expires or is revoked, the ones outside are dropped ({@link #outsideGrants}).
 */
final class BridgeAuthorizer {

  static final String HOW_TO_AUTHENTICATE =
      "send a token in the frame's headers: {\"headers\": {\"Authorization\": \"Bearer <token>\"}}";

  /** What the bridge may do with a frame. */
  sealed interface Decision {
  }

  record Allowed(Principal principal) implements Decision {
  }

  /** The session already holds the token the frame carries: nothing was verified again. */
  record Unchanged() implements Decision {
  }

  /**
   * Refused: {@code code} is the bridge's refusal word (access_denied, not_logged_in, auth_error, too_many_requests,
   * unavailable), {@code failure} the failure code a request's answer carries.
   */
  record Refused(String code, Failure failure, String detail) implements Decision {
  }

  /** A subscription target: config.&lt;env&gt; (path "") or config.&lt;env&gt;.&lt;key prefix&gt;. */
  record Target(String env, String path) {
  }

  private final Authenticator authenticator;
  private final RateLimits limits;
  private final Environments environments;
  private final SessionRegistry sessions;
  private final long recheckMaxAgeMillis;

  /**
   * @param recheckMaxAgeMillis how old a cached token verification a recheck may use: the token cache time less the
   *                            recheck period, so that a revocation reaches a socket within the cache time
   */
  BridgeAuthorizer(Authenticator authenticator, RateLimits limits, Environments environments, SessionRegistry sessions,
                   long recheckMaxAgeMillis) {
    this.recheckMaxAgeMillis = recheckMaxAgeMillis;
    this.authenticator = authenticator;
    this.limits = limits;
    this.environments = environments;
    this.sessions = sessions;
  }

  /** Authenticates the session with this Authorization value, unless it already holds it. */
  Future<Decision> authenticate(BridgeSession session, String authorization) {
    if (sessions.hasPrincipal(session) && authorization.equals(sessions.authorization(session))) {
      // the same token: nothing to verify again (expiry is checked by every decision that needs the principal)
      return Future.succeededFuture(new Unchanged());
    }
    return authenticator.authenticate(authorization)
        .<Decision>map(principal -> {
          sessions.authenticated(session, principal, authorization);
          return new Allowed(principal);
        })
        .otherwise(failure -> {
          if (failure instanceof ConfigdException e && e.failure() == Failure.UNAUTHORIZED) {
            sessions.loggedOut(session);
            RateLimitedException limited = limits.failedAuthentication(session.host());
            return limited == null ? new Refused("auth_error", Failure.UNAUTHORIZED, e.getMessage())
                : new Refused("too_many_requests", limited.failure(), limited.getMessage());
          }
          return new Refused("unavailable", Failure.UNAVAILABLE, "the token could not be checked now; retry shortly");
        });
  }

  /**
   * Checks the session's credential again (expiry; revocation of a configd token, within the token cache time):
   * Refused when the session lost its principal, Allowed otherwise (also when PostgreSQL cannot say: checked again
   * next time).
   */
  Future<Decision> recheck(BridgeSession session) {
    Principal principal = sessions.principal(session);
    if (principal == null) {
      return Future.succeededFuture(new Refused("auth_error", Failure.UNAUTHORIZED, "the token expired"));
    }
    if (principal.tokenId() == null) {
      return Future.succeededFuture(new Allowed(principal)); // a JWT cannot be revoked; it expires
    }
    String authorization = sessions.authorization(session);
    return authenticator.recheck(authorization, recheckMaxAgeMillis)
        .<Decision>map(Allowed::new)
        .otherwise(failure -> {
          if (failure instanceof ConfigdException e && e.failure() == Failure.UNAUTHORIZED
              && authorization.equals(sessions.authorization(session))) {
            sessions.loggedOut(session);
            return new Refused("auth_error", Failure.UNAUTHORIZED, e.getMessage());
          }
          return new Allowed(principal);
        });
  }

  /** May the session register on this address? */
  Decision register(BridgeSession session, String address) {
    Target target = target(address);
    if (target == null) {
      return new Refused("access_denied", Failure.FORBIDDEN,
          "clients may only register on config.<environment>[.<key prefix>]");
    }
    Principal principal = sessions.principal(session);
    if (principal == null) {
      return new Refused("not_logged_in", Failure.UNAUTHORIZED, HOW_TO_AUTHENTICATE);
    }
    if (!principal.mayAll(Access.READ, target.env(), target.path())) {
      return new Refused("access_denied", Failure.FORBIDDEN, "'" + principal.name() + "' may not read every key of "
          + address + "; register on an address inside its read grants");
    }
    return new Allowed(principal);
  }

  /** May the session read every key under {@code prefix} of {@code env} (a snapshot or catch-up request)? */
  Decision read(BridgeSession session, String env, String prefix) {
    Principal principal = sessions.principal(session);
    if (principal == null) {
      return new Refused("not_logged_in", Failure.UNAUTHORIZED, HOW_TO_AUTHENTICATE);
    }
    if (!principal.mayAll(Access.READ, env, prefix)) {
      return new Refused("access_denied", Failure.FORBIDDEN, "'" + principal.name() + "' lacks read access on " + env
          + ":" + (prefix.isEmpty() ? "(every key)" : prefix));
    }
    return new Allowed(principal);
  }

  /** The session's subscriptions its current principal may no longer receive. */
  List<String> outsideGrants(BridgeSession session) {
    Principal principal = sessions.principal(session);
    return sessions.addresses(session).stream().filter(address -> !mayReceive(principal, address)).toList();
  }

  private boolean mayReceive(Principal principal, String address) {
    Target target = target(address);
    return principal != null && target != null && principal.mayAll(Access.READ, target.env(), target.path());
  }

  /** The registration target of an address, or null when it is not config.&lt;env&gt;[.&lt;key prefix&gt;]. */
  private Target target(String address) {
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
}
