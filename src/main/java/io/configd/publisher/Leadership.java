package io.configd.publisher;

import io.configd.store.OutboxStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node relays: the holder of a PostgreSQL session advisory lock, taken on a connection of its own.
 * The lock dies with the connection, so a dead leader frees it; followers try again every period, and
 * the leader checks its connection as often, stepping down as soon as it is gone.
 */
final class Leadership {

  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private final Vertx vertx;
  private final String node;
  private final PgConnectOptions options;
  private final long periodMs;
  private final Runnable onElected;
  private final Runnable onDeposed;
  private PgConnection connection;
  private boolean leader;
  private boolean busy;
  private boolean stopped;
  private long timer = -1;
  private String lastProblem;

  Leadership(Vertx vertx, String node, PgConnectOptions options, long periodMs, Runnable onElected, Runnable onDeposed) {
    this.vertx = vertx;
    this.node = node;
    this.options = options;
    this.periodMs = periodMs;
    this.onElected = onElected;
    this.onDeposed = onDeposed;
  }

  void start() {
    check();
    timer = vertx.setPeriodic(periodMs, id -> check());
  }

  boolean isLeader() {
    return leader;
  }

  /** Closing the connection releases the lock at once, so a follower takes over at its next try. */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    PgConnection closing = connection;
    connection = null;
    if (leader) {
      leader = false;
      LOG.info("Node '{}' released the publisher leadership (stopping)", node);
    }
    return closing == null ? Future.succeededFuture() : closing.close();
  }

  private void check() {
    if (busy || stopped) {
      return;
    }
    busy = true;
    Future<Void> step = leader ? stillConnected() : tryToLead();
    step.onComplete(done -> busy = false);
  }

  private Future<Void> tryToLead() {
    Future<PgConnection> conn = connection != null ? Future.succeededFuture(connection) : connect();
    return conn.compose(OutboxStore::tryPublisherLock)
        .timeout(periodMs * 5, TimeUnit.MILLISECONDS)
        .onSuccess(locked -> {
          lastProblem = null;
          if (locked && !stopped && connection != null) {
            leader = true;
            LOG.info("Node '{}' is now the publisher leader", node);
            onElected.run();
          }
        })
        .onFailure(failure -> {
          String problem = failure.toString();
          if (!problem.equals(lastProblem)) {
            LOG.warn("Cannot contend for publisher leadership: {}", problem);
            lastProblem = problem;
          }
          dropConnection();
        })
        .mapEmpty();
  }

  private Future<PgConnection> connect() {
    return PgConnection.connect(vertx, options).onSuccess(conn -> {
      if (stopped) {
        conn.close();
        return;
      }
      connection = conn;
      // A dropped connection is expected (it ends the leadership): the close handler deals with it.
      conn.exceptionHandler(failure -> LOG.debug("Leadership connection failed: {}", failure.toString()));
      conn.closeHandler(closed -> {
        if (connection == conn) {
          connection = null;
          stepDown("its PostgreSQL connection closed");
        }
      });
    });
  }

  private Future<Void> stillConnected() {
    PgConnection conn = connection;
    if (conn == null) {
      stepDown("its PostgreSQL connection is gone");
      return Future.succeededFuture();
    }
    return OutboxStore.ping(conn)
        .timeout(periodMs * 3, TimeUnit.MILLISECONDS)
        .onFailure(failure -> {
          stepDown("its PostgreSQL connection does not answer (" + failure + ")");
          dropConnection();
        });
  }

  private void dropConnection() {
    PgConnection conn = connection;
    connection = null;
    if (conn != null) {
      conn.close();
    }
  }

  private void stepDown(String why) {
    if (leader) {
      leader = false;
      LOG.warn("Node '{}' is no longer the publisher leader: {}", node, why);
      onDeposed.run();
    }
  }
}
