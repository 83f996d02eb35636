package io.configd.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

/**
 * A time limit on a call to a server (Redis, PostgreSQL) that measures the server, not the queue in front of it. The
 * caller starts it once the call is on its connection (no pool wait inside). When the limit passes, the call is not
 * given up at once: if the timer itself fired late by more than the limit (this node's thread was not running: a
 * busy loop, a GC pause, a starved machine), the server gets the limit again from that moment; and a call still
 * unanswered then gets one more turn of the event loop, which reads its sockets between turns, so a reply that is
 * already there is taken rather than counted as a timeout.
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
    long[] timer = {-1};
    long due = System.nanoTime() + limitMs * 1_000_000;
    timer[0] = vertx.setTimer(limitMs, fired -> expire(vertx, limitMs, server, call, result, due, timer, true));
    call.onComplete(done -> {
      vertx.cancelTimer(timer[0]);
      if (done.succeeded()) {
        result.tryComplete(done.result());
      } else {
        result.tryFail(done.cause());
      }
    });
    return result.future();
  }

  private static <T> void expire(Vertx vertx, long limitMs, String server, Future<T> call, Promise<T> result, long due,
                                 long[] timer, boolean mayExtend) {
    if (call.isComplete()) {
      return;
    }
    long now = System.nanoTime();
    if (mayExtend && now - due > limitMs * 1_000_000) {
      // this thread did not run for longer than the limit: that says nothing about the server
      timer[0] = vertx.setTimer(limitMs, again -> expire(vertx, limitMs, server, call, result, now, timer, false));
      return;
    }
    timer[0] = vertx.setTimer(1, lastTurn -> result.tryFail(new TimeoutException(server + " did not answer within "
        + limitMs + " ms")));
  }
}
