package io.configd.publisher;

import io.configd.Eventually;
import static io.configd.StreamTesting.put;
import static io.configd.StreamTesting.queryLong;
import static io.configd.StreamTesting.readTopic;
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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A publisher that dies between Kafka's acknowledgement and marking the change published")
class RelayedDuplicatesAreCountedOnceTest {

  private static JsonObject config;
  private static TestNode node;
  private static WebhookReceiver webhook;

  @BeforeAll
  static void start(Vertx vertx) {
    webhook = WebhookReceiver.start(vertx);
    config = StreamTesting.streamConfig("RelayedDuplicatesAreCountedOnceTest");
    config.put("notify", new JsonObject().put("webhooks", new JsonArray().add(webhook.url()))
        .put("keyPatterns", new JsonArray()).put("pollMs", 200).put("timeoutMs", 2000));
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    node.stop().await();
    webhook.stop();
  }

  @Test
  @DisplayName("relays the change again: the duplicate reaches Kafka, but the audit log and the webhook count it once")
  void duplicateCountedOnce(VertxTestContext testContext) throws Exception {
    List<Long> critical = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      JsonObject ack = put(node, "services.svc" + (i % 5) + ".limit", "production",
          new JsonObject().put("value", i).put("critical", i % 2 == 0));
      if (i % 2 == 0) {
        critical.add(ack.getLong("revision"));
      }
    }
    readTopic(config, Duration.ofSeconds(30), records -> records.size() >= 20);
    Eventually.await("20 audit rows", Duration.ofSeconds(30), () -> queryLong(config, "select count(*) from audit_log") == 20);
    Eventually.await("10 alerts delivered", Duration.ofSeconds(30), () -> webhook.alerts().size() >= 10);

    // The state a publisher leaves when it dies after Kafka acknowledged but before it marked the rows.
    // The relay stores its watermark in the statement after a batch: wait for it to hold all 20.
    long unmarked = Eventually.value("the relay's watermark at 20", Duration.ofSeconds(30),
        () -> queryLong(config, "select revision from config_relay"), watermark -> watermark == 20);
    StreamTesting.execute(config, "update config_relay set revision = 0");
    put(node, "services.wake.up", "production", new JsonObject().put("value", 21)); // its NOTIFY wakes the relay

    var records = readTopic(config, Duration.ofSeconds(30), read -> read.size() >= 41);
    StreamTesting.awaitCaughtUp(config, StreamTesting.group(config, "configd-audit"), Duration.ofSeconds(30));
    StreamTesting.awaitCaughtUp(config, StreamTesting.group(config, "configd-notification"), Duration.ofSeconds(30));
    Eventually.await("every alert delivered", Duration.ofSeconds(30),
        () -> queryLong(config, "select count(*) from notification where status <> 'delivered'") == 0);

    long auditRows = queryLong(config, "select count(*) from audit_log");
    long alertRows = queryLong(config, "select count(*) from notification");
    testContext.verify(() -> {
      assertThat(unmarked).isEqualTo(20);
      // Every relayed-again change reached Kafka a second time; the relay is at-least-once, so a retry
      // under load may add more copies, but never a record of a revision that was not written.
      var copies = records.stream().collect(java.util.stream.Collectors.groupingBy(
          record -> new JsonObject(record.value()).getLong("revision"), java.util.stream.Collectors.counting()));
      assertThat(copies).hasSize(21);
      assertThat(copies.entrySet()).filteredOn(e -> e.getKey() <= 20).hasSize(20)
          .allSatisfy(e -> assertThat(e.getValue()).as("copies of revision %d", e.getKey()).isGreaterThanOrEqualTo(2));
      assertThat(auditRows).isEqualTo(21);
      assertThat(alertRows).isEqualTo(10);
      assertThat(webhook.revisions()).containsExactlyInAnyOrderElementsOf(critical);
    });
    testContext.completeNow();
  }
}
