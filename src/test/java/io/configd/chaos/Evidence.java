package io.configd.chaos;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the stores hold after the run: PostgreSQL's history, change log and current values, the audit log, Kafka. */
final class Evidence {

  /** A row of the version history (config_version); id is the value's "w". */
  record Version(String key, int version, long revision, String id, Object txn) {
  }

  /** A committed change as another store holds it (a Kafka record, an audit row): which version of which key. */
  interface Copy {
    String key();

    int version();

    String id();
  }

  /** A record of the change topic. */
  record Relayed(int partition, long offset, long revision, String key, int version, String id) implements Copy {
  }

  /** An audit log row. */
  record Audited(long revision, String key, int version, String id) implements Copy {
  }

  final List<Version> history = new ArrayList<>();
  final List<Long> changeLog = new ArrayList<>();
  final Map<String, Integer> current = new HashMap<>();
  final List<Audited> audit = new ArrayList<>();
  final List<Relayed> kafka = new ArrayList<>();
  /** Each node's GET /v1/changes walk from revision 0: the revisions in the order it gave them. */
  final Map<String, List<Long>> feeds = new HashMap<>();
  long unpublished;

  static Evidence gather(Connection pg, String kafkaBootstrap, String topic, List<ChaosNode> nodes, Api api)
      throws SQLException {
    Evidence evidence = new Evidence();
    evidence.readPostgres(pg);
    evidence.readKafka(kafkaBootstrap, topic);
    for (ChaosNode node : nodes) {
      evidence.feeds.put(node.name(), feed(node, api));
    }
    return evidence;
  }

  private void readPostgres(Connection pg) throws SQLException {
    try (Statement statement = pg.createStatement()) {
      try (ResultSet rows = statement.executeQuery(
          "select key, version, revision, value->>'w', value::text from chaos.config_version where env = 'production' "
              + "order by revision")) {
        while (rows.next()) {
          history.add(new Version(rows.getString(1), rows.getInt(2), rows.getLong(3), rows.getString(4), null));
        }
      }
      try (ResultSet rows = statement.executeQuery("select revision from chaos.config_change order by revision")) {
        while (rows.next()) {
          changeLog.add(rows.getLong(1));
        }
      }
      try (ResultSet rows = statement.executeQuery(
          "select key, version from chaos.config_entry where env = 'production' and not deleted")) {
        while (rows.next()) {
          current.put(rows.getString(1), rows.getInt(2));
        }
      }
      try (ResultSet rows = statement.executeQuery(
          "select revision, key, version, new_value->>'w' from chaos.audit_log order by revision")) {
        while (rows.next()) {
          audit.add(new Audited(rows.getLong(1), rows.getString(2), rows.getInt(3), rows.getString(4)));
        }
      }
      try (ResultSet rows = statement.executeQuery("select count(*) from chaos.config_change c, chaos.config_relay r where c.revision > r.revision")) {
        rows.next();
        unpublished = rows.getLong(1);
      }
    }
  }

  private void readKafka(String bootstrap, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          JsonObject change = new JsonObject(record.value());
          Object value = change.getValue("value");
          String id = value instanceof JsonObject json ? json.getString("w") : null;
          kafka.add(new Relayed(record.partition(), record.offset(), change.getLong("revision"), change.getString("key"),
              change.getInteger("version"), id));
        }
      }
    }
  }

  private static List<Long> feed(ChaosNode node, Api api) {
    List<Long> revisions = new ArrayList<>();
    long since = 0;
    for (int page = 0; page < 100_000; page++) {
      Api.Answer answer = api.getPath(node.url(), "/v1/changes?env=production&prefix=" + Subscribers.PREFIX
          + "&limit=1000&since=" + since);
      if (answer.status() != 200 || answer.body() == null) {
        revisions.add(-1L); // the walk failed: the checker reports it
        return revisions;
      }
      answer.body().getJsonArray("items").forEach(item -> revisions.add(((JsonObject) item).getLong("revision")));
      since = answer.body().getLong("next");
      if (!answer.body().getBoolean("more")) {
        break;
      }
    }
    return revisions;
  }
}
