package io.configd.store;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a failure becomes a {@link Failure} code, for the HTTP problems and for event-bus replies alike.
 * A dependency that cannot be reached is recognised by the type of its failure, never by words in its message.
 */
public final class Failures {

  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private Failures() {
  }

  /**
   * The failure as configd reports it: a ConfigdException as it is; the failure code of a request another verticle
   * refused; PostgreSQL or a connection unreachable, or a call that timed out, as UNAVAILABLE; anything else INTERNAL.
   */
  public static ConfigdException classify(Throwable failure) {
    if (failure instanceof ConfigdException e) {
      return e;
    }
    if (failure instanceof ReplyException e) {
      return e.failureType() == ReplyFailure.RECIPIENT_FAILURE
          ? new ConfigdException(Failure.fromCode(e.failureCode()), e.getMessage())
          : new ConfigdException(Failure.UNAVAILABLE, "an internal service did not answer (" + e.failureType()
              + "); retry shortly");
    }
    if (isUnavailable(failure)) {
      return new ConfigdException(Failure.UNAVAILABLE, "the configuration store is unreachable; retry shortly");
    }
    return new ConfigdException(Failure.INTERNAL, "an unexpected error occurred; it has been logged");
  }

  /**
   * Whether the failure means a dependency cannot be reached now (503, and the cache's "PostgreSQL unreachable"),
   * by SQLSTATE and exception type, along the cause chain: PostgreSQL's connection exceptions (class 08), shutdown
   * or start-up (57P01-57P03), too many connections or out of resources (class 53); a refused, reset or lost
   * connection (any socket IOException, a closed connection, the SQL client's "connection not active", a pool too
   * busy); a timeout, the pool's own included (no connection free within pg.connectionTimeoutMs). Every other SQLSTATE
   * (22xxx data exceptions, 23xxx constraint violations, 42xxx syntax) says nothing about reachability.
   */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof PgException pg) {
        String state = pg.getSqlState();
        return state != null && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53"));
      }
      // a plain VertxException is how the SQL client reports its connection's state ("not active now", "pool
      // closed"): its subclasses (ReplyException, ...) say other things
      if (cause instanceof IOException || cause instanceof TimeoutException || cause instanceof ClosedConnectionException
          || cause instanceof HttpClosedException || cause instanceof ConnectionPoolTooBusyException
          || cause.getClass() == VertxException.class || isPoolTimeout(cause)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The SQL client's pool gives up waiting for a free connection with a failure of no type of its own: Vert.x 5's
   * SqlConnectionPool fails the waiter with {@code fail("Timeout")}, a bare NoStackTraceThrowable, so that one is known
   * by its exact class and its fixed text (any other NoStackTraceThrowable says nothing about reachability).
   */
  private static boolean isPoolTimeout(Throwable failure) {
    return failure.getClass() == NoStackTraceThrowable.class && "Timeout".equals(failure.getMessage());
  }

  /** Fails a bus request with the failure's code and detail; a failure that is a bug is logged with its stack trace. */
  public static void reply(Message<?> request, Throwable failure) {
    ConfigdException classified = classify(failure);
    if (classified.failure() == Failure.INTERNAL) {
      LOG.error("A request to {} failed", request.address(), failure);
    } else if (classified != failure) {
      LOG.warn("A request to {} failed: {}", request.address(), failure.toString());
    }
    request.fail(classified.failure().code(), classified.getMessage());
  }
}
