package io.configd;

import io.configd.Eventually;
import static io.configd.StreamTesting.put;
import static io.configd.StreamTesting.queryLong;
import static io.configd.StreamTesting.readTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** DESIGN.md invariant 1: a change acknowledged by the API is never lost, even when Kafka is down. */
@ExtendWith(VertxExtension.class)
@DisplayName("A change acknowledged by the API is never lost")
class AcknowledgedChangesAreNeverLostTest {

  private static final int CHANGES = 200;
  private static final int KEYS = 20;

  private static KafkaBroker broker;
  private static JsonObject config;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) {
    broker = KafkaBroker.start("never-lost");
    config = StreamTesting.streamConfig("AcknowledgedChangesAreNeverLostTest", broker);
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    StreamTesting.stop(node, broker);
  }

  @Test
  @DisplayName("200 changes written while Kafka stops midway and comes back all reach the topic in order, and the audit log has exactly 200 rows")
  void kafkaDownMidway(VertxTestContext testContext) throws Exception {
    List<Long> acknowledged = new ArrayList<>();
    for (int i = 0; i < CHANGES; i++) {
      if (i == CHANGES / 2) {
        broker.stop();
      }
      JsonObject ack = put(node, "services.svc" + (i % KEYS) + ".setting", "production",
          new JsonObject().put("value", i).put("comment", "change " + i));
      acknowledged.add(ack.getLong("revision"));
    }

    // While Kafka is down the node stays ready, and its /ready detail shows the backlog waiting.
    JsonObject whileDown = Eventually.value("the backlog to show in /ready", Duration.ofSeconds(30),
        () -> node.http().get("/ready").send().await().bodyAsJsonObject(),
        ready -> ready.getJsonObject("publisher").getJsonObject("backlog").getLong("size") > 0
            && ready.getJsonObject("publisher").getString("kafka").startsWith("DOWN"));
    int readyStatus = node.http().get("/ready").send().await().statusCode();

    broker.restart();

    List<ConsumerRecord<String, String>> records = readTopic(config, Duration.ofSeconds(120),
        read -> StreamTesting.revisions(read).size() >= CHANGES);
    Eventually.await("200 audit rows", Duration.ofSeconds(60), () -> queryLong(config, "select count(*) from audit_log") >= CHANGES);
    StreamTesting.awaitCaughtUp(config, StreamTesting.group(config, "configd-audit"), Duration.ofSeconds(30));
    long auditRows = queryLong(config, "select count(*) from audit_log");
    long auditRevisions = queryLong(config, "select count(distinct revision) from audit_log where revision between 1 and " + CHANGES);
    // The relay stores its watermark in the statement after its last batch: wait for it, with a deadline.
    long backlogAfter = Eventually.value("the relay's watermark past every change", Duration.ofSeconds(30),
        () -> queryLong(config, "select count(*) from config_change, config_relay where config_change.revision > config_relay.revision"),
        size -> size == 0);

    System.out.printf("Kafka down midway: backlog seen in /ready %s; %d records on the topic for %d changes (%d duplicates)%n",
        whileDown.getJsonObject("publisher").getJsonObject("backlog").encode(), records.size(), CHANGES,
        records.size() - CHANGES);
    testContext.verify(() -> {
      assertThat(acknowledged).containsExactlyElementsOf(LongStream.rangeClosed(1, CHANGES).boxed().toList());
      assertThat(readyStatus).as("/ready while Kafka is down").isEqualTo(200);
      assertThat(StreamTesting.revisions(records)).containsExactlyInAnyOrderElementsOf(acknowledged);
      StreamTesting.assertInOrderPerKey(records);
      assertThat(auditRows).isEqualTo(CHANGES);
      assertThat(auditRevisions).isEqualTo(CHANGES);
      assertThat(backlogAfter).isZero();
    });
    testContext.completeNow();
  }

  @Test
  @DisplayName("a node that starts while Kafka is down accepts writes and relays them, audited once, when Kafka starts")
  void startsWhileKafkaDown(VertxTestContext testContext) throws Exception {
    JsonObject coldConfig = StreamTesting.streamConfig("NeverLostColdStart", broker);
    broker.stop();
    Vertx coldVertx = Vertx.vertx(); // a node of its own: nodes in one Vert.x would share the PostgreSQL pool
    TestNode cold = TestNode.start(coldVertx, coldConfig).await();
    try {
      for (int i = 0; i < 10; i++) {
        put(cold, "services.cold" + (i % 3) + ".setting", "production", new JsonObject().put("value", i));
      }
      broker.restart();
      List<ConsumerRecord<String, String>> records = readTopic(coldConfig, Duration.ofSeconds(60),
          read -> StreamTesting.revisions(read).size() >= 10);
      Eventually.await("10 audit rows", Duration.ofSeconds(60),
          () -> queryLong(coldConfig, "select count(*) from audit_log") == 10);
      testContext.verify(() -> {
        assertThat(StreamTesting.revisions(records)).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        StreamTesting.assertInOrderPerKey(records);
      });
    } finally {
      if (!broker.isRunning()) {
        broker.restart();
      }
      cold.stop().await();
      coldVertx.close().await();
    }
    testContext.completeNow();
  }

}
