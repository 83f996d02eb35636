package io.configd.notify;

import io.configd.Eventually;
import static io.configd.StreamTesting.put;
import static io.configd.StreamTesting.queryLong;
import static io.configd.StreamTesting.queryRows;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two webhooks: one the tests take down and up, one that never answers (each attempt times out). */
@ExtendWith(VertxExtension.class)
@DisplayName("Webhook notifications")
class WebhookNotificationTest {

  private static final int TIMEOUT_MS = 1000;
  private static final int MAX_ATTEMPTS = 4;

  private static JsonObject config;
  private static TestNode node;
  private static WebhookReceiver live;
  private static WebhookReceiver dead;

  @BeforeAll
  static void start(Vertx vertx) {
    live = WebhookReceiver.start(vertx);
    dead = WebhookReceiver.hanging(vertx);
    config = StreamTesting.streamConfig("WebhookNotificationTest");
    config.put("notify", new JsonObject()
        .put("webhooks", new JsonArray().add(live.url()).add(dead.url()))
        .put("keyPatterns", new JsonArray().add("services.*.database_url"))
        .put("timeoutMs", TIMEOUT_MS).put("maxAttempts", MAX_ATTEMPTS)
        .put("initialBackoffMs", 200).put("maxBackoffMs", 1000).put("pollMs", 100));
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    node.stop().await();
    live.stop();
    dead.stop();
  }

  @Test
  @DisplayName("a webhook receives alerts for critical keys and keys matching a pattern, and for no other key")
  void onlyCriticalOrMatching(VertxTestContext testContext) throws Exception {
    long plain = put(node, "services.orders.pool_size", "production", new JsonObject().put("value", 10)).getLong("revision");
    long critical = put(node, "features.kill_switch", "production",
        new JsonObject().put("value", true).put("critical", true)).getLong("revision");
    long matching = put(node, "services.orders.database_url", "staging",
        new JsonObject().put("value", "jdbc:postgresql://db/orders")).getLong("revision");

    Eventually.await("both alerts at the live webhook", Duration.ofSeconds(30),
        () -> live.revisions().containsAll(List.of(critical, matching)));
    StreamTesting.awaitCaughtUp(config, StreamTesting.group(config, "configd-notification"), Duration.ofSeconds(30));
    long plainRows = queryLong(config, "select count(*) from notification where revision = " + plain);

    testContext.verify(() -> {
      assertThat(live.revisions()).doesNotContain(plain);
      assertThat(plainRows).isZero();
      JsonObject criticalAlert = alertFor(critical);
      assertThat(criticalAlert.getString("type")).isEqualTo("configd.change");
      assertThat(criticalAlert.getJsonArray("reasons")).containsExactly("critical");
      assertThat(criticalAlert.getJsonObject("change").getString("key")).isEqualTo("features.kill_switch");
      JsonObject matchingAlert = alertFor(matching);
      assertThat(matchingAlert.getJsonArray("reasons")).containsExactly("pattern:services.*.database_url");
      assertThat(matchingAlert.getJsonObject("change").getString("env")).isEqualTo("staging");
    });
    testContext.completeNow();
  }

  @Test
  @DisplayName("a webhook that is down when the change happens receives the alert after a retry once it is back")
  void downThenUp(VertxTestContext testContext) throws Exception {
    live.stop();
    long revision = put(node, "security.admin_password_hash", "production",
        new JsonObject().put("value", "x").put("critical", true)).getLong("revision");
    String row = "revision = " + revision + " and webhook = '" + live.url() + "'";
    Eventually.await("a failed first attempt recorded", Duration.ofSeconds(30),
        () -> queryLong(config, "select count(*) from notification where " + row + " and attempts >= 1 and last_error is not null") == 1);
    live.restart();

    Eventually.await("the alert after a retry", Duration.ofSeconds(30), () -> live.revisions().contains(revision));
    Eventually.await("the delivery recorded", Duration.ofSeconds(10),
        () -> queryLong(config, "select count(*) from notification where " + row + " and status = 'delivered'") == 1);
    long attempts = queryLong(config, "select count(*) from notification_attempt where " + row);
    testContext.verify(() -> {
      assertThat(attempts).isGreaterThanOrEqualTo(2);
      assertThat(live.revisions().stream().filter(r -> r == revision)).hasSize(1);
    });
    testContext.completeNow();
  }

  @Test
  @DisplayName("a webhook that never answers ends recorded as failed after its retry budget, while the other webhook gets its alert promptly")
  void deadWebhookDoesNotDelayOthers(VertxTestContext testContext) throws Exception {
    Instant written = Instant.now();
    long revision = put(node, "services.billing.database_url", "production",
        new JsonObject().put("value", "jdbc:postgresql://db2/billing")).getLong("revision");
    Eventually.await("the alert at the live webhook", Duration.ofSeconds(10), () -> live.revisions().contains(revision));
    Duration liveDelivery = Duration.between(written, Instant.now());
    String deadRow = "revision = " + revision + " and webhook = '" + dead.url() + "'";
    long deadStillTrying = queryLong(config, "select count(*) from notification where " + deadRow + " and status = 'pending'");

    Eventually.await("the dead webhook's alert marked failed", Duration.ofSeconds(30),
        () -> queryLong(config, "select count(*) from notification where " + deadRow + " and status = 'failed'") == 1);
    List<Map<String, Object>> attempts = queryRows(config,
        "select attempt, error from notification_attempt where " + deadRow + " order by attempt");
    Map<String, Object> failed = queryRows(config, "select attempts, last_error from notification where " + deadRow).get(0);
    System.out.printf("live webhook alerted %d ms after the write while the other webhook hung%n", liveDelivery.toMillis());
    testContext.verify(() -> {
      // One timed-out attempt to the dead webhook alone takes TIMEOUT_MS: the live one did not wait for its retries.
      assertThat(liveDelivery).isLessThan(Duration.ofMillis(TIMEOUT_MS * MAX_ATTEMPTS));
      assertThat(deadStillTrying).as("the dead webhook's alert, still being retried when the live one arrived").isEqualTo(1);
      assertThat(failed.get("attempts")).isEqualTo(MAX_ATTEMPTS);
      assertThat((String) failed.get("last_error")).isNotBlank();
      assertThat(attempts).hasSize(MAX_ATTEMPTS);
      assertThat(attempts).allSatisfy(attempt -> assertThat((String) attempt.get("error")).isNotBlank());
    });
    testContext.completeNow();
  }

  private static JsonObject alertFor(long revision) {
    return live.alerts().stream().filter(alert -> alert.getJsonObject("change").getLong("revision") == revision)
        .findFirst().orElseThrow();
  }
}
