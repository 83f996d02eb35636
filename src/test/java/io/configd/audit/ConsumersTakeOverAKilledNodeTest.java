package io.configd.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.NodeProcess;
import io.configd.StreamTesting;
import io.configd.TestServices;
import io.configd.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit and webhook consumer groups span the nodes: when one is killed, the others take over its partitions
 * within the group's session timeout (6 s) rather than Kafka's default 45 s. The killed node had done the work of
 * records whose offsets it had not committed yet (a group commits once a second, see ChangeConsumer): its successor
 * reads them again, and they still make one audit row and one alert each.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Audit and webhook consumers take over a killed node's partitions")
class ConsumersTakeOverAKilledNodeTest {

  private static final Logger LOG = LoggerFactory.getLogger(ConsumersTakeOverAKilledNodeTest.class);
  private static final int CHANGES = 20;

  @Test
  @DisplayName("after a SIGKILL, every change written to the survivor is audited and posted to the webhook within 20 s "
      + "(the target is 10 s; Kafka's default session timeout took 45 s)")
  void survivorsTakeOver(Vertx vertx) throws Exception {
    WebhookReceiver webhook = WebhookReceiver.start(vertx);
    JsonObject first = TestServices.nodeConfig("ConsumersTakeOverAKilledNodeTest");
    first.put("notify", new JsonObject().put("webhooks", new JsonArray().add(webhook.url()))
        .put("keyPatterns", new JsonArray().add("takeover.*").add("takeover-before.*")));
    first.getJsonObject("node").put("name", "takeover-1");
    List<NodeProcess> nodes = new ArrayList<>();
    try {
      nodes.add(NodeProcess.start(first));
      nodes.add(NodeProcess.start(TestServices.anotherNode(first, "takeover-2")));
      nodes.forEach(node -> node.awaitReady(Duration.ofSeconds(120)));
      String suffix = first.getJsonObject("kafka").getString("groupSuffix");
      awaitTwoMembers("configd-audit" + suffix);
      awaitTwoMembers("configd-notification" + suffix);
      Eventually.await("a relay leader", Duration.ofSeconds(60),
          () -> nodes.stream().anyMatch(n -> n.get("/v1/stats/publisher").getBoolean("leader")));
      // the survivor relays, so what is measured is the consumers' takeover alone
      NodeProcess survivor = nodes.stream().filter(n -> n.get("/v1/stats/publisher").getBoolean("leader")).findFirst()
          .orElseThrow();
      NodeProcess victim = nodes.stream().filter(n -> n != survivor).findFirst().orElseThrow();

      // work done by both nodes' consumers just before the kill, some of it not committed yet
      for (int i = 0; i < CHANGES; i++) {
        victim.put("takeover-before.k" + i, "production", i);
      }
      Eventually.await(CHANGES + " audit rows and alerts before the kill", Duration.ofSeconds(60),
          () -> rows(first, "audit_log", "takeover-before.%") == CHANGES
              && rows(first, "notification", "takeover-before.%") == CHANGES);
      LOG.info("At the kill, records read but not committed: audit {}, notification {}",
          uncommitted(first, "configd-audit" + suffix), uncommitted(first, "configd-notification" + suffix));
      victim.kill();
      long killedAt = System.nanoTime();
      List<Long> revisions = new ArrayList<>();
      for (int i = 0; i < CHANGES; i++) {
        revisions.add(survivor.put("takeover.k" + i, "production", i).getLong("revision"));
      }
      Eventually.await(CHANGES + " audit rows on the survivor", Duration.ofSeconds(90),
          () -> survivor.get("/v1/audit?env=production&prefix=takeover&limit=1000").getJsonArray("items").size()
              == CHANGES);
      long auditMillis = (System.nanoTime() - killedAt) / 1_000_000;
      Eventually.await(CHANGES + " webhook alerts", Duration.ofSeconds(90),
          () -> webhook.revisions().containsAll(revisions));
      long webhookMillis = (System.nanoTime() - killedAt) / 1_000_000;
      LOG.info("After SIGKILL: every change audited in {} ms, posted to the webhook in {} ms", auditMillis, webhookMillis);
      assertThat(auditMillis).as("ms from the kill to the last audit row").isLessThan(20_000);
      assertThat(webhookMillis).as("ms from the kill to the last webhook alert").isLessThan(20_000);
      // what the victim did and the survivor read again counts once
      Eventually.await("the groups caught up", Duration.ofSeconds(60),
          () -> uncommitted(first, "configd-audit" + suffix) == 0
              && uncommitted(first, "configd-notification" + suffix) == 0);
      for (String table : List.of("audit_log", "notification")) {
        assertThat(rows(first, table, "takeover%")).as("rows in " + table).isEqualTo(2 * CHANGES);
        assertThat(StreamTesting.queryLong(first, "select count(distinct revision) from " + table
            + " where key like 'takeover%'")).as("revisions in " + table).isEqualTo(2 * CHANGES);
      }
    } finally {
      nodes.forEach(NodeProcess::kill);
      webhook.stop();
    }
  }

  private static long rows(JsonObject config, String table, String keys) throws Exception {
    return StreamTesting.queryLong(config, "select count(*) from " + table + " where key like '" + keys + "'");
  }

  /** How many records of the topic the group has not committed yet (a partition it never committed counts whole). */
  private static long uncommitted(JsonObject config, String group) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrapServers());
    try (AdminClient admin = AdminClient.create(props)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      String topic = StreamTesting.topic(config);
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().entrySet().stream()
          .mapToLong(end -> end.getValue().offset()
              - (committed.containsKey(end.getKey()) ? committed.get(end.getKey()).offset() : 0))
          .sum();
    }
  }

  /** Both nodes' consumers are members of the group with partitions, so that the victim holds some. */
  private static void awaitTwoMembers(String group) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrapServers());
    try (AdminClient admin = AdminClient.create(props)) {
      Eventually.await("two members with partitions in " + group, Duration.ofSeconds(90), () -> {
        Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(List.of(group)).all().get();
        ConsumerGroupDescription description = groups.get(group);
        return description.members().size() == 2
            && description.members().stream().allMatch(member -> !member.assignment().topicPartitions().isEmpty());
      });
    }
  }
}
