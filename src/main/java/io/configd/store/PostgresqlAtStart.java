package io.configd.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A starting node's first connection: PostgreSQL may not answer yet (starting beside the node, or slow to accept on
 * a loaded machine: the pool's 5 s wait for a connection ran out once), so the node asks again every second, for
 * {@code pg.startWaitMs}. An error PostgreSQL itself answers fails the start at once (a wrong password, a missing
 * database), unless it says the server is starting, shutting down or out of connections ({@link Failures#isUnavailable}).
 */
public final class PostgresqlAtStart {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresqlAtStart.class);
  private static final long RETRY_MS = 1_000;

  private PostgresqlAtStart() {
  }

  /** Completes once PostgreSQL answers a query through the pool; fails when it has not within the wait. */
  public static Future<Void> await(Vertx vertx, Pool pool, PgSettings settings) {
    Promise<Void> answered = Promise.promise();
    attempt(vertx, new ConfigStore(pool), settings, System.nanoTime(), 1, answered);
    return answered.future();
  }

  private static void attempt(Vertx vertx, ConfigStore store, PgSettings settings, long since, int attempt,
                              Promise<Void> answered) {
    store.ping().onComplete(ping -> {
      long waitedMs = (System.nanoTime() - since) / 1_000_000;
      if (ping.succeeded()) {
        if (attempt > 1) {
          LOG.info("PostgreSQL at {} answered after {} attempts ({} ms)", where(settings), attempt, waitedMs);
        }
        answered.complete();
      } else if (refused(ping.cause()) || waitedMs + RETRY_MS > settings.startWaitMs()) {
        answered.fail(ping.cause());
      } else {
        if (attempt == 1) {
          LOG.warn("PostgreSQL at {} does not answer yet ({}); asking again every {} ms for up to {} ms",
              where(settings), ping.cause().toString(), RETRY_MS, settings.startWaitMs());
        }
        vertx.setTimer(RETRY_MS, id -> attempt(vertx, store, settings, since, attempt + 1, answered));
      }
    });
  }

  /** PostgreSQL answered, and not that it is unavailable: asking again gets the same answer. */
  private static boolean refused(Throwable failure) {
    return failure instanceof PgException && !Failures.isUnavailable(failure);
  }

  /** The server, never the password. */
  private static String where(PgSettings settings) {
    PgConnectOptions options = PgConnectOptions.fromUri(settings.uri());
    return options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
