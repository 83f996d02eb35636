package io.configd.publisher;

import io.configd.Eventually;
import static io.configd.StreamTesting.put;
import static io.configd.StreamTesting.readTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.auth.AdminBootstrap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The change topic, read by a plain Kafka consumer")
class ChangeTopicTest {

  private static final Set<String> FIELDS =
      Set.of("key", "env", "value", "version", "revision", "updatedAt", "updatedBy", "deleted", "critical", "epoch");

  private static JsonObject config;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    config = StreamTesting.streamConfig("ChangeTopicTest");
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  @Test
  @DisplayName("every acknowledged change is a record keyed by its config key, holding the change, in Kafka's default partition, in order per key")
  void recordsAsSpecified(VertxTestContext testContext) throws Exception {
    Map<Long, JsonObject> acknowledged = new LinkedHashMap<>();
    for (int round = 1; round <= 5; round++) {
      for (String key : List.of("services.payment.database_url", "services.payment.pool_size", "features.checkout.v2",
          "services.search.replicas", "a", "b.c")) {
        JsonObject body = new JsonObject().put("value", new JsonObject().put("round", round)).put("comment", "round " + round);
        JsonObject ack = put(node, key, round % 2 == 0 ? "staging" : "production", body);
        acknowledged.put(ack.getLong("revision"), ack);
      }
    }
    JsonObject deleted = node.http().delete("/v1/config/a").addQueryParam("env", "production")
        .send().await().bodyAsJsonObject();
    acknowledged.put(deleted.getLong("revision"), deleted);

    // Other tests of this class write to the same topic: look at this test's revisions only.
    List<ConsumerRecord<String, String>> records = readTopic(config, Duration.ofSeconds(60),
        read -> read.stream().map(r -> new JsonObject(r.value()).getLong("revision"))
            .filter(acknowledged::containsKey).distinct().count() >= acknowledged.size())
        .stream().filter(r -> acknowledged.containsKey(new JsonObject(r.value()).getLong("revision"))).toList();

    testContext.verify(() -> {
      Map<String, Integer> lastVersion = new HashMap<>();
      Set<Long> seen = new HashSet<>();
      for (ConsumerRecord<String, String> record : records) {
        JsonObject change = new JsonObject(record.value());
        assertThat(change.fieldNames()).containsExactlyInAnyOrderElementsOf(FIELDS);
        assertThat(record.key()).isEqualTo(change.getString("key"));
        int expectedPartition = Utils.toPositive(Utils.murmur2(record.key().getBytes(StandardCharsets.UTF_8))) % 10;
        assertThat(record.partition()).as("partition of %s", record.key()).isEqualTo(expectedPartition);

        JsonObject ack = acknowledged.get(change.getLong("revision"));
        assertThat(change.getString("env")).isEqualTo(ack.getString("env"));
        assertThat(change.getValue("value")).isEqualTo(ack.getValue("value"));
        assertThat(change.getInteger("version")).isEqualTo(ack.getInteger("version"));
        assertThat(change.getString("updatedBy")).isEqualTo(AdminBootstrap.NAME); // the authenticated principal
        assertThat(change.getBoolean("deleted")).isEqualTo(ack.getBoolean("deleted"));
        assertThat(change.getString("updatedAt")).isEqualTo(ack.getString("updatedAt"));

        if (seen.add(change.getLong("revision"))) {
          String id = change.getString("env") + "/" + change.getString("key");
          Integer previous = lastVersion.put(id, change.getInteger("version"));
          assertThat(change.getInteger("version")).as("versions of %s in topic order", id)
              .isGreaterThan(previous == null ? 0 : previous);
        }
      }
      assertThat(seen).containsExactlyInAnyOrderElementsOf(acknowledged.keySet());
    });

    JsonObject stats = Eventually.value("an empty backlog", Duration.ofSeconds(10),
        () -> node.http().get("/v1/stats/publisher").send().await().bodyAsJsonObject(),
        body -> body.getJsonObject("backlog").getLong("size") == 0);
    System.out.printf("relay latency, commit to Kafka ack: last %s ms, max %s ms over %s changes%n",
        stats.getValue("lastCommitToAckMs"), stats.getValue("maxCommitToAckMs"), stats.getValue("relayed"));
    testContext.completeNow();
  }

  @Test
  @DisplayName("the publisher creates the topic with the configured partitions, replication factor and 7 days' retention")
  void topicCreated(VertxTestContext testContext) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, StreamTesting.bootstrap(config));
    try (Admin admin = Admin.create(props)) {
      String topic = StreamTesting.topic(config);
      // The publisher creates the topic in the background once it started: wait for it.
      var description = Eventually.value("the topic to exist", Duration.ofSeconds(30),
          () -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic), found -> found != null);
      var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      var topicConfig = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      testContext.verify(() -> {
        assertThat(description.partitions()).hasSize(10);
        assertThat(description.partitions().get(0).replicas()).hasSize(1);
        assertThat(topicConfig.get("retention.ms").value()).isEqualTo(Long.toString(7L * 24 * 3600 * 1000));
      });
    }
    testContext.completeNow();
  }

  @Test
  @DisplayName("/ready and /v1/stats/publisher show the leader and the relay backlog")
  void backlogVisible(VertxTestContext testContext) throws Exception {
    put(node, "services.payment.timeout_ms", "production", new JsonObject().put("value", 250));
    JsonObject stats = Eventually.value("an empty backlog", Duration.ofSeconds(10),
        () -> node.http().get("/v1/stats/publisher").send().await().bodyAsJsonObject(),
        body -> body.getJsonObject("backlog").getLong("size") == 0 && body.getLong("relayed") > 0);
    var ready = node.http().get("/ready").send().await();
    testContext.verify(() -> {
      assertThat(stats.getBoolean("leader")).isTrue();
      assertThat(stats.getString("kafka")).isEqualTo("UP");
      assertThat(stats.getString("topic")).isEqualTo(StreamTesting.topic(config));
      assertThat(ready.statusCode()).isEqualTo(200);
      JsonObject publisher = ready.bodyAsJsonObject().getJsonObject("publisher");
      assertThat(publisher.getJsonObject("backlog").getLong("size")).isZero();
      assertThat(publisher.getBoolean("leader")).isTrue();
    });
    testContext.completeNow();
  }
}
