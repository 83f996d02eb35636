package io.configd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.HashSet;
import java.util.Set;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Helpers for tests of the change stream: a node configuration with Kafka clients tuned to notice
 * failures in seconds, a plain Kafka consumer to read the topic as any outside reader would, and
 * polling with a deadline for what happens asynchronously (never a fixed sleep).
 */
public final class StreamTesting {


  private StreamTesting() {
  }

  /** {@link TestServices#nodeConfig} with short Kafka timeouts and a publisher that retries quickly. */
  public static JsonObject streamConfig(String isolation) {
    return tuned(TestServices.nodeConfig(isolation));
  }

  /** A node configuration on a broker of the test's own (fresh, so there is nothing to reset). */
  public static JsonObject streamConfig(String isolation, KafkaBroker broker) {
    JsonObject config = TestServices.nodeConfig(isolation);
    config.getJsonObject("kafka").put("bootstrapServers", broker.bootstrapServers());
    return tuned(config);
  }

  private static JsonObject tuned(JsonObject config) {
    config.getJsonObject("kafka")
        .put("producer", new JsonObject().put("delivery.timeout.ms", "4000").put("request.timeout.ms", "1500")
            .put("max.block.ms", "2000").put("linger.ms", "0").put("retry.backoff.ms", "100")
            .put("reconnect.backoff.max.ms", "500").put("metadata.max.age.ms", "2000"))
        .put("consumer", new JsonObject().put("metadata.max.age.ms", "1000").put("session.timeout.ms", "6000")
            .put("heartbeat.interval.ms", "500").put("retry.backoff.ms", "100").put("reconnect.backoff.max.ms", "500")
            .put("request.timeout.ms", "3000").put("default.api.timeout.ms", "5000"))
        .put("admin", new JsonObject().put("request.timeout.ms", "1500").put("default.api.timeout.ms", "3000")
            .put("reconnect.backoff.max.ms", "500"));
    config.put("publisher", new JsonObject().put("batchSize", 100).put("sweepMs", 2000).put("leaderRetryMs", 250)
        .put("maxBackoffMs", 1000));
    return config;
  }

  /** Stops a node started on a broker of the test's own, then the broker (either may be null: start failed). */
  public static void stop(TestNode node, KafkaBroker broker) {
    try {
      if (node != null) {
        node.stop().await();
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  public static String topic(JsonObject config) {
    return config.getJsonObject("kafka").getString("topic");
  }

  public static String bootstrap(JsonObject config) {
    return config.getJsonObject("kafka").getString("bootstrapServers");
  }

  public static String group(JsonObject config, String group) {
    return group + config.getJsonObject("kafka").getString("groupSuffix");
  }

  /** PUT a value through the API; fails the test unless it was acknowledged. */
  public static JsonObject put(TestNode node, String key, String env, JsonObject body) throws Exception {
    HttpResponse<Buffer> response = node.http().put("/v1/config/" + key).addQueryParam("env", env)
        .sendJsonObject(body).await();
    if (response.statusCode() != 200 && response.statusCode() != 201) {
      throw new AssertionError("PUT " + key + " answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  /** Reads the whole topic from the beginning, as a reader outside configd would, until {@code done} holds. */
  public static List<ConsumerRecord<String, String>> readTopic(JsonObject config, Duration timeout,
                                                               Predicate<List<ConsumerRecord<String, String>>> done) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(config));
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    Instant deadline = Instant.now().plus(timeout);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      while (partitions.isEmpty()) { // the publisher creates the topic: it may not exist yet
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("topic " + topic(config) + " did not appear within " + timeout);
        }
        consumer.partitionsFor(topic(config), timeout).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!done.test(records)) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("the topic did not reach the expected state within " + timeout + "; read "
              + records.size() + " records");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Waits until the group has committed offsets up to the end of every partition of the topic. */
  public static void awaitCaughtUp(JsonObject config, String group, Duration timeout) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(config));
    try (Admin admin = Admin.create(props)) {
      Eventually.await("group " + group + " to commit up to the end of the topic", timeout, () -> {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        int partitions = admin.describeTopics(List.of(topic(config))).allTopicNames().get().get(topic(config))
            .partitions().size();
        for (int p = 0; p < partitions; p++) {
          latest.put(new TopicPartition(topic(config), p), OffsetSpec.latest());
        }
        var ends = admin.listOffsets(latest).all().get();
        return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
            || committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() >= end.getValue().offset());
      });
    }
  }

  /** A single number from the node's schema. */
  public static long queryLong(JsonObject config, String sql) throws SQLException {
    try (Connection conn = jdbc(config); var statement = conn.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  public static List<Map<String, Object>> queryRows(JsonObject config, String sql) throws SQLException {
    List<Map<String, Object>> result = new ArrayList<>();
    try (Connection conn = jdbc(config); var statement = conn.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= columns; i++) {
          row.put(rows.getMetaData().getColumnLabel(i), rows.getObject(i));
        }
        result.add(row);
      }
    }
    return result;
  }

  public static int execute(JsonObject config, String sql) throws SQLException {
    try (Connection conn = jdbc(config); var statement = conn.createStatement()) {
      return statement.executeUpdate(sql);
    }
  }

  private static Connection jdbc(JsonObject config) throws SQLException {
    JsonObject pg = config.getJsonObject("pg");
    PgConnectOptions options = PgConnectOptions.fromUri(pg.getString("uri"));
    String url = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase()
        + "?currentSchema=" + pg.getString("schema");
    return DriverManager.getConnection(url, options.getUser(), options.getPassword());
  }

  /** The revisions of the change records read from the topic. */
  public static Set<Long> revisions(List<ConsumerRecord<String, String>> records) {
    return records.stream().map(r -> new JsonObject(r.value()).getLong("revision")).collect(Collectors.toSet());
  }

  /** Reading the topic in order and dropping revisions already seen, each key's versions go 1, 2, 3, ... */
  public static void assertInOrderPerKey(List<ConsumerRecord<String, String>> records) {
    Map<String, Integer> last = new HashMap<>();
    Set<Long> seen = new HashSet<>();
    for (ConsumerRecord<String, String> record : records) {
      JsonObject change = new JsonObject(record.value());
      if (seen.add(change.getLong("revision"))) {
        Integer previous = last.put(record.key(), change.getInteger("version"));
        assertThat(change.getInteger("version")).as("version of %s after %s", record.key(), previous)
            .isEqualTo(previous == null ? 1 : previous + 1);
      }
    }
  }
}
