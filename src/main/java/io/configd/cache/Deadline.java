package io.configd.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/**
 * A time limit on a call to a server (Redis, PostgreSQL) that measures the server, not the queue in front of it. The
 * caller starts it once the call is on its connection (no pool wait inside), and a call still unanswered when the
 * limit passes gets one more turn of the event loop before it fails: the loop reads its sockets between turns, so a
 * reply that arrived while the loop was busy, or while the JVM was paused, is taken rather than counted as a timeout.
 */
final class Deadline {

  private Deadline() {
  }

  /** {@code call}, or a TimeoutException naming {@code server} when it has not answered within {@code limitMs}. */
  static <T> Future<T> within(Vertx vertx, long limitMs, String server, Future<T> call) {
    if (call.isComplete()) {
      return call;
    }
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(limitMs, fired -> {
      if (!call.isComplete()) {
        vertx.setTimer(1, lastTurn -> result.tryFail(new TimeoutException(server + " did not answer within " + limitMs
            + " ms")));
      }
    });
    call.onComplete(done -> {
      vertx.cancelTimer(timer);
      if (done.succeeded()) {
        result.tryComplete(done.result());
      } else {
        result.tryFail(done.cause());
      }
    });
    return result.future();
  }
}
