package io.configd.notify;

import io.configd.model.ConfigValue;
import io.configd.store.NotificationStore;
import io.configd.store.NotificationStore.PendingAlert;
import io.configd.stream.ChangeConsumer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts webhooks about changes to critical keys and keys matching the configured patterns. The consumer
 * only records the alerts owed (one per revision and webhook) before committing its offsets; delivery
 * happens apart, per webhook, with retries, so a dead webhook holds up neither the group nor the others.
 */
public class NotificationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NotificationVerticle.class);

  private final NotificationSettings settings;
  private final NotificationStore store;
  private WebClient client;
  private final List<WebhookDelivery> deliveries = new ArrayList<>();
  private ChangeConsumer consumer;

  /** @param pool the node's PostgreSQL pool, which the node closes */
  public NotificationVerticle(NotificationSettings settings, Pool pool) {
    this.settings = settings;
    this.store = new NotificationStore(pool);
  }

  @Override
  public Future<?> start() {
    if (settings.webhooks().isEmpty()) {
      LOG.info("No webhook configured (notify.webhooks): change notifications are off");
      return Future.succeededFuture();
    }
    client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(settings.timeoutMs())
        .setUserAgent("configd-notification"));
    for (String url : settings.webhooks()) {
      deliveries.add(new WebhookDelivery(vertx, url, store, client, settings));
    }
    return ChangeConsumer.start(vertx, settings.kafka(), settings.group(), "configd-notification-" + settings.nodeName(),
            this::recordAlerts)
        .onSuccess(started -> {
          consumer = started;
          deliveries.forEach(WebhookDelivery::start);
          LOG.info("Notifications to {} webhook(s) for critical keys and {}", settings.webhooks().size(),
              settings.keyPatterns().stream().map(KeyPattern::text).toList());
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> consumerStopped = consumer == null ? Future.succeededFuture() : consumer.stop();
    Future<Void> delivered = Future.join(deliveries.stream().map(WebhookDelivery::stop).toList()).mapEmpty();
    return Future.join(consumerStopped, delivered).eventually(() -> {
      if (client != null) {
        client.close();
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> recordAlerts(List<ConfigValue> changes) {
    List<PendingAlert> alerts = new ArrayList<>();
    for (ConfigValue change : changes) {
      JsonArray reasons = reasons(change);
      if (reasons.isEmpty()) {
        continue;
      }
      String payload = new JsonObject().put("type", "configd.change").put("reasons", reasons)
          .put("change", change.masked().toChangeJson()).encode(); // a webhook never gets a secret's value
      for (String webhook : settings.webhooks()) {
        alerts.add(new PendingAlert(change.revision(), webhook, change.env(), change.key(), payload));
      }
    }
    if (alerts.isEmpty()) {
      return Future.succeededFuture();
    }
    return store.recordPending(alerts).onSuccess(recorded -> deliveries.forEach(WebhookDelivery::wake));
  }

  /** Why a change deserves an alert: "critical" and every pattern its key matches; empty when it does not. */
  private JsonArray reasons(ConfigValue change) {
    JsonArray reasons = new JsonArray();
    if (change.critical()) {
      reasons.add("critical");
    }
    for (KeyPattern pattern : settings.keyPatterns()) {
      if (pattern.matches(change.key())) {
        reasons.add("pattern:" + pattern.text());
      }
    }
    return reasons;
  }
}
