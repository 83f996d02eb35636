package io.configd.api;

import io.configd.auth.ClientAddresses;
import io.configd.auth.Authenticator;
import io.configd.auth.RateLimits;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Principal;
import io.configd.model.RateLimitedException;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every /v1 route: the bearer token is verified (401 when it is missing, malformed, unknown,
 * revoked, expired or forged; 429 instead once the client address used up its failed authentications) and the
 * principal is handed to the route. A valid token always passes, whatever failed before from its address.
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
          Throwable answer = failure;
          if (authorization != null && failure instanceof ConfigdException e && e.failure() == Failure.UNAUTHORIZED) {
            RateLimitedException limited = limits.failedAuthentication(address);
            answer = limited == null ? failure : limited;
          }
          ctx.request().resume(); // whatever body it sent is dropped unread
          ctx.fail(answer);
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
