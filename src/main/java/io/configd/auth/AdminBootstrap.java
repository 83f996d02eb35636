package io.configd.auth;

import io.configd.model.Grant;
import io.configd.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a database with no token at all, creates the admin token {@value #NAME} (admin on every key of every
 * environment): the one of auth.adminToken (CONFIGD_AUTH_ADMIN_TOKEN or CONFIGD_ADMIN_TOKEN) when set,
 * else a random one printed once on standard output, never in the log. Nodes starting together create one.
 */
public final class AdminBootstrap {

  public static final String NAME = "bootstrap-admin";
  private static final Logger LOG = LoggerFactory.getLogger(AdminBootstrap.class);

  private AdminBootstrap() {
  }

  /** @param httpPort the node's HTTP port, for the example printed with a random token */
  public static Future<Void> ensure(Pool pool, AuthSettings settings, int httpPort) {
    String configured = settings.adminToken();
    if (configured != null && !ApiTokens.wellFormed(configured)) {
      return Future.failedFuture(new IllegalArgumentException("auth.adminToken (CONFIGD_ADMIN_TOKEN) must be \"cfd_\" "
          + "followed by at least 32 characters of A-Z, a-z, 0-9, '_' and '-'; e.g. cfd_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')"));
    }
    String token = configured != null ? configured : ApiTokens.generate();
    return new TokenStore(pool).createFirst(NAME, ApiTokens.hash(token), List.of(Grant.ROOT), "configd")
        .onSuccess(created -> {
          if (!created) {
            return;
          }
          if (configured != null) {
            LOG.info("Created the admin token '{}' from auth.adminToken", NAME);
          } else {
            LOG.info("Created the admin token '{}'; it is printed once on standard output", NAME);
            printOnce(token, httpPort);
          }
        })
        .mapEmpty();
  }

  private static void printOnce(String token, int port) {
    System.out.println("""

        configd created an admin token. It is shown only this once: keep it somewhere safe.

            %s

        Use it as a bearer token, for example:

            curl -H 'Authorization: Bearer %s' 'http://127.0.0.1:%d/v1/config?env=development'

        and create narrower tokens with POST /v1/tokens (see the README, "Access control").
        """.formatted(token, token, port));
    System.out.flush();
  }
}
