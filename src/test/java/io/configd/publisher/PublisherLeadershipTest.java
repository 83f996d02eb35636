package io.configd.publisher;

import io.configd.Eventually;
import static io.configd.StreamTesting.put;
import static io.configd.StreamTesting.queryLong;
import static io.configd.StreamTesting.readTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestServices;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two nodes of one deployment (one schema, one topic), each with its own Vert.x, as two processes would be. */
@ExtendWith(VertxExtension.class)
@DisplayName("Two publishers racing for the change log")
class PublisherLeadershipTest {

  private static Vertx otherVertx;
  private static JsonObject config;
  private static TestNode first;
  private static TestNode second;

  @BeforeAll
  static void start(Vertx vertx) {
    config = StreamTesting.streamConfig("PublisherLeadershipTest");
    first = TestNode.start(vertx, config).await();
    otherVertx = Vertx.vertx();
    second = TestNode.start(otherVertx, TestServices.anotherNode(config, "test-leadership-2")).await();
  }

  @AfterAll
  static void stop() {
    for (TestNode node : new TestNode[] {first, second}) {
      node.stop().await(); // a node the test stopped already has nothing left to undeploy
    }
    otherVertx.close().await();
  }

  @Test
  @DisplayName("one relays while the other waits; a leader whose session dies steps down, a stopped leader is replaced within seconds, without loss or reordering")
  void takeover(VertxTestContext testContext) throws Exception {
    Eventually.await("a leader", Duration.ofSeconds(10), () -> isLeader(first) || isLeader(second));
    TestNode leader = isLeader(first) ? first : second;
    TestNode follower = leader == first ? second : first;
    writeAlternately(0, 40);
    Eventually.await("40 changes relayed", Duration.ofSeconds(30), () -> published() == 40);
    JsonObject followerBefore = stats(follower);

    // PostgreSQL ends the leader's session (failover, idle killer, network): its lock goes with it.
    long terminated = queryLong(config, "select count(pg_terminate_backend(pid)) from pg_locks where locktype = 'advisory'"
        + " and granted and ((classid::bigint << 32) | objid::bigint) = hashtextextended('"
        + config.getJsonObject("pg").getString("schema") + ".configd-publisher', 0)");
    Eventually.await("exactly one leader again", Duration.ofSeconds(10),
        () -> isLeader(first) != isLeader(second));
    writeAlternately(40, 80);
    Eventually.await("80 changes relayed", Duration.ofSeconds(30), () -> published() == 80);

    TestNode current = isLeader(first) ? first : second;
    TestNode survivor = current == first ? second : first;
    Instant stopping = Instant.now();
    current.stop().await();
    Eventually.await("the survivor to lead", Duration.ofSeconds(10), () -> isLeader(survivor));
    Duration takeover = Duration.between(stopping, Instant.now());
    for (int i = 80; i < 120; i++) {
      put(survivor, "services.svc" + (i % 6) + ".size", "production", new JsonObject().put("value", i));
    }

    List<ConsumerRecord<String, String>> records = readTopic(config, Duration.ofSeconds(30),
        read -> StreamTesting.revisions(read).size() >= 120);
    Eventually.await("120 audit rows", Duration.ofSeconds(30), () -> queryLong(config, "select count(*) from audit_log") == 120);
    System.out.printf("publisher takeover after the leader stopped: %d ms; %d records for 120 changes%n",
        takeover.toMillis(), records.size());
    testContext.verify(() -> {
      assertThat(followerBefore.getBoolean("leader")).isFalse();
      assertThat(followerBefore.getLong("relayed")).as("changes relayed by the follower while it followed").isZero();
      assertThat(terminated).as("sessions holding the publisher lock").isEqualTo(1);
      assertThat(takeover).isLessThan(Duration.ofSeconds(5));
      assertThat(StreamTesting.revisions(records)).hasSize(120);
      StreamTesting.assertInOrderPerKey(records);
    });
    testContext.completeNow();
  }

  private static void writeAlternately(int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      put(i % 2 == 0 ? first : second, "services.svc" + (i % 6) + ".size", "production", new JsonObject().put("value", i));
    }
  }

  private static long published() throws Exception {
    return queryLong(config, "select count(*) from config_change, config_relay where config_change.revision <= config_relay.revision");
  }

  private static boolean isLeader(TestNode node) {
    return stats(node).getBoolean("leader");
  }

  private static JsonObject stats(TestNode node) {
    return node.http().get("/v1/stats/publisher").send().await().bodyAsJsonObject();
  }

}
