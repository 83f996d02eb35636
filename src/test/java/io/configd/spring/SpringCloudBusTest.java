package io.configd.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Spring Boot app with spring-cloud-starter-config and spring-cloud-starter-bus-kafka (examples/spring-cloud-config-app,
 * nothing of configd on its class path) refreshes by itself after a PUT: configd publishes RefreshRemoteApplicationEvent
 * on the bus topic, the app fetches its Environment again from the Config Server routes and rebinds its bean.
 */
@DisplayName("Spring Cloud Bus applications refresh after a change")
class SpringCloudBusTest {

  private static Vertx vertx;
  private static TestNode node;
  private static String topic;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    JsonObject config = TestServices.nodeConfig("SpringCloudBusTest");
    topic = "springCloudBus." + TestServices.isolated("bus") + "." + Long.toString(System.currentTimeMillis(), 36);
    config.put("spring", new JsonObject().put("busEnabled", true).put("busTopic", topic));
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    try {
      node.stop().await();
    } finally {
      vertx.close().await();
    }
    try (Admin admin = admin()) {
      admin.deleteTopics(List.of(topic)).all().get();
    } catch (Exception e) {
      // the topic of this run only; an earlier one left over is harmless
    }
  }

  private static Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrapServers());
    return Admin.create(props);
  }

  /** The app's bus consumer (an anonymous group of Spring Cloud Stream) has its partitions: an event now reaches it. */
  private static boolean busConsumerAssigned() throws Exception {
    try (Admin admin = admin()) {
      List<String> groups = admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId)
          .filter(group -> group.startsWith("anonymous.")).toList();
      for (ConsumerGroupDescription group : admin.describeConsumerGroups(groups).all().get().values()) {
        if (group.members().stream().anyMatch(member -> member.assignment().topicPartitions().stream()
            .anyMatch(partition -> partition.topic().equals(topic)))) {
          return true;
        }
      }
      return false;
    }
  }

  @Test
  @DisplayName("an app with spring-cloud-starter-bus-kafka sees a PUT in its @ConfigurationProperties bean, by itself")
  void refreshesAfterPut() throws Exception {
    node.put("services.payment.payment.pool-size", "production", 8);
    String token = node.createToken("payment-bus", "production", "services.payment", "read",
        "production", "services.application", "read");
    try (SpringApp app = SpringApp.start("spring-cloud-config-app", "io.configd.examples.cloud.CloudConfigApplication",
        TestServices.freePort(), List.of(
            "--spring.cloud.config.uri=http://127.0.0.1:" + node.port() + "/config",
            "--spring.cloud.config.token=" + token, "--spring.profiles.active=production",
            "--spring.cloud.bus.destination=" + topic,
            "--spring.cloud.stream.kafka.binder.brokers=" + TestServices.kafkaBootstrapServers()))
        .awaitUp(Duration.ofSeconds(120))) {
      assertThat(app.getJson("/properties?names=payment.pool-size").getInteger("bean.poolSize")).isEqualTo(8);
      Eventually.await("the app's bus consumer to be assigned the topic " + topic, Duration.ofSeconds(60),
          SpringCloudBusTest::busConsumerAssigned);

      node.put("services.payment.payment.pool-size", "production", 32);
      Eventually.await("the app to refresh by itself (log " + app.logTail() + ")", Duration.ofSeconds(60),
          () -> app.getJson("/properties?names=payment.pool-size").getInteger("bean.poolSize") == 32);
      assertThat(app.log()).contains("Received remote refresh request").doesNotContain("io.configd");
    }
  }
}
