package io.configd.cache;

import io.configd.store.ConfigStore;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's {@link PostgresqlHealth}: pings PostgreSQL every {@code cache.pgProbeIntervalMs} and learns from
 * every read the cache makes; logs once per change. Runs on the cache verticle's event loop.
 */
final class PostgresqlProbe {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresqlProbe.class);

  private final Vertx vertx;
  private final Pool pool;
  private final CacheSettings settings;
  private final PostgresqlHealth health;
  private boolean probing;
  private long timer = -1;

  PostgresqlProbe(Vertx vertx, Pool pool, CacheSettings settings, PostgresqlHealth health) {
    this.vertx = vertx;
    this.pool = pool;
    this.settings = settings;
    this.health = health;
  }

  void start() {
    timer = vertx.setPeriodic(settings.pgProbeIntervalMs(), id -> probe());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  void down(Throwable cause) {
    if (health.markDown(cause)) {
      LOG.warn("PostgreSQL is unreachable ({}): cached reads are answered as stale, uncached ones fail with 503",
          cause.toString());
    }
  }

  void up() {
    if (health.markUp()) {
      LOG.info("PostgreSQL is reachable again");
    }
  }

  private void probe() {
    if (probing) {
      return;
    }
    probing = true;
    pool.withConnection(conn -> Deadline.within(vertx, settings.pgTimeoutMs(), "PostgreSQL", new ConfigStore(conn).ping()))
        .onComplete(done -> {
      probing = false;
      if (done.succeeded()) {
        up();
      } else {
        down(done.cause());
      }
    });
  }
}
