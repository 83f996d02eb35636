package io.configd.publisher;

import static io.configd.StreamTesting.put;
import static io.configd.StreamTesting.readTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.StreamTesting;
import io.configd.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A change topic that exists with other settings")
class ExistingTopicTest {

  private static final String ONE_DAY_MS = Long.toString(24L * 3600 * 1000);

  private static JsonObject config;
  private static TestNode node;
  private static Admin admin;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    config = StreamTesting.streamConfig("ExistingTopicTest");
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, StreamTesting.bootstrap(config));
    admin = Admin.create(props);
    admin.createTopics(List.of(new NewTopic(StreamTesting.topic(config), 3, (short) 1)
        .configs(Map.of("retention.ms", ONE_DAY_MS)))).all().get();
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    node.stop().await();
    admin.close();
  }

  @Test
  @DisplayName("is left as it is (an operator's decision) and still carries the changes, partitioned by key")
  void leftAlone(VertxTestContext testContext) throws Exception {
    put(node, "services.payment.database_url", "production", new JsonObject().put("value", "jdbc:postgresql://db/p"));
    var records = readTopic(config, Duration.ofSeconds(30), read -> read.size() >= 1);
    String topic = StreamTesting.topic(config);
    var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    var retention = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("retention.ms").value();
    testContext.verify(() -> {
      assertThat(description.partitions()).hasSize(3);
      assertThat(retention).isEqualTo(ONE_DAY_MS);
      var record = records.get(0);
      assertThat(record.partition())
          .isEqualTo(Utils.toPositive(Utils.murmur2(record.key().getBytes(StandardCharsets.UTF_8))) % 3);
    });
    testContext.completeNow();
  }
}
