package io.configd.notify;

import io.configd.store.NotificationStore;
import io.configd.store.NotificationStore.DueAlert;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one webhook's alerts, oldest first, independently of every other webhook: a webhook that
 * hangs or refuses only ever delays its own alerts. Alerts are claimed in PostgreSQL, so several nodes
 * can deliver side by side without posting an alert twice (except when a node dies mid-request).
 */
final class WebhookDelivery {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
  /** One alert at a time: stopping never leaves a claimed alert unattempted, and the lease is one request long. */
  private static final int CLAIM = 1;

  private final Vertx vertx;
  private final String url;
  private final NotificationStore store;
  private final WebClient client;
  private final NotificationSettings settings;
  private boolean running;
  private boolean again;
  private boolean stopped;
  private long timer = -1;
  private Future<Integer> current = Future.succeededFuture(0);

  WebhookDelivery(Vertx vertx, String url, NotificationStore store, WebClient client, NotificationSettings settings) {
    this.vertx = vertx;
    this.url = url;
    this.store = store;
    this.client = client;
    this.settings = settings;
  }

  /** Delivers what is due now, then looks again every poll period for retries that came due. */
  void start() {
    timer = vertx.setPeriodic(settings.pollMs(), id -> wake());
    wake();
  }

  /** Lets the request in flight finish, so that stopping never records a failed attempt of its own making. */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return current.<Void>mapEmpty().timeout(settings.timeoutMs() * 2L, java.util.concurrent.TimeUnit.MILLISECONDS)
        .otherwiseEmpty();
  }

  void wake() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    // The lease outlives every request of the claim, so a slow webhook's alert is never claimed twice.
    current = store.claimDue(url, CLAIM, CLAIM * settings.timeoutMs() + 1_000)
        .compose(this::deliverInOrder);
    current.onComplete(done -> {
      running = false;
      if (done.failed()) {
        LOG.warn("Webhook {}: cannot read its pending alerts: {}", url, done.cause().toString());
      } else if (done.result() > 0 || again) {
        wake();
      }
    });
  }

  private Future<Integer> deliverInOrder(java.util.List<DueAlert> due) {
    Future<Void> chain = Future.succeededFuture();
    for (DueAlert alert : due) {
      // Once stopping, the rest stay claimed until their lease ends and are retried then, not counted as failed.
      chain = chain.compose(previous -> stopped ? Future.succeededFuture() : deliver(alert));
    }
    return chain.map(done -> due.size());
  }

  private Future<Void> deliver(DueAlert alert) {
    return client.postAbs(url)
        .timeout(settings.timeoutMs())
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Configd-Revision", Long.toString(alert.revision()))
        .sendBuffer(Buffer.buffer(alert.payload()))
        .transform(response -> {
          if (response.succeeded() && response.result().statusCode() / 100 == 2) {
            return store.recordDelivered(alert, response.result().statusCode());
          }
          Integer status = response.succeeded() ? response.result().statusCode() : null;
          String error = response.succeeded() ? "HTTP " + status : response.cause().toString();
          return recordFailure(alert, status, error);
        });
  }

  private Future<Void> recordFailure(DueAlert alert, Integer status, String error) {
    if (alert.attempt() >= settings.maxAttempts()) {
      LOG.error("Webhook {}: alert for revision {} FAILED after {} attempts, last: {}. Recorded as failed",
          url, alert.revision(), alert.attempt(), error);
      return store.recordFailed(alert, status, error);
    }
    long backoff = settings.backoffAfter(alert.attempt());
    LOG.warn("Webhook {}: attempt {} of {} for revision {} failed ({}); next in {} ms", url, alert.attempt(),
        settings.maxAttempts(), alert.revision(), error, backoff);
    return store.recordRetry(alert, status, error, backoff);
  }
}
