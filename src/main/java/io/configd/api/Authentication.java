package io.configd.api;

import io.configd.auth.Authenticator;
import io.configd.auth.RateLimits;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Principal;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every /v1 route: a client that used up its failed authentications is refused
 * (429) before its token is even looked at; then the bearer token is verified (401 when it is missing,
 * malformed, unknown, revoked, expired or forged) and the principal is handed to the route.
 */
final class Authentication {

  private static final String PRINCIPAL = "configd.principal";

  private final Authenticator authenticator;
  private final RateLimits limits;
  private final ClientAddresses addresses;

  Authentication(Authenticator authenticator, RateLimits limits, ClientAddresses addresses) {
    this.authenticator = authenticator;
    this.limits = limits;
    this.addresses = addresses;
  }

  void handle(RoutingContext ctx) {
    handle(ctx, ctx.request().getHeader("Authorization"));
  }

  /** The same with the Authorization value a route read its own way (the Spring Cloud Config routes' token forms). */
  void handle(RoutingContext ctx, String authorization) {
    String address = addresses.of(ctx);
    String bearer = Authenticator.bearer(authorization);
    limits.checkNotBlocked(address, bearer);
    // The body waits until the token is verified (the BodyHandler after this one resumes the request):
    // an unauthenticated client never gets a body buffered.
    if (!ctx.request().isEnded()) {
      ctx.request().pause();
    }
    authenticator.authenticate(authorization)
        .onSuccess(principal -> {
          ctx.put(PRINCIPAL, principal);
          ctx.next();
        })
        .onFailure(failure -> {
          // A request with no credential guessed nothing; one with a wrong credential counts
          if (authorization != null && failure instanceof ConfigdException e && e.failure() == Failure.UNAUTHORIZED) {
            limits.failedAuthentication(address, bearer);
          }
          ctx.request().resume(); // whatever body it sent is dropped unread
          ctx.fail(failure);
        });
  }

  /** The principal of an authenticated request; every /v1 route has one. */
  static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /** Counts a write against the principal and the client's address (429 when over). */
  void countWrite(RoutingContext ctx) {
    limits.write(principal(ctx).name(), addresses.of(ctx));
  }
}
