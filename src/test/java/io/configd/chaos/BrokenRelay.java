package io.configd.chaos;

import io.configd.model.ConfigValue;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A deliberately broken relay, for testing the checker: it takes the publisher's leadership the way a node does
 * (the same PostgreSQL advisory lock, held on its own connection from before the nodes start, so no node ever
 * relays) and relays the outbox in revision order with the product's own change message, but every {@code n}-th
 * change it marks relayed (moves the relay's watermark past it) without sending it: the bug of a relay that marks
 * a change before Kafka acknowledged it; and every {@code forgeEvery}-th change it sends with another value than
 * the one PostgreSQL holds (the workload's write id replaced by {@code forged-<revision>}): the bug of a relay that
 * sends the wrong row's body. A lost change is healed for subscribers by revision order (it reads the change log),
 * a forged one is not: it reaches them as it was sent.
 * Nothing in the node is changed or bypassed; the checker has real losses to find.
 */
final class BrokenRelay implements AutoCloseable {

  private final ChaosCluster cluster;
  private final int dropEvery;
  private final int forgeEvery;
  private final Connection lock;
  private final KafkaProducer<String, String> producer;
  private final List<Long> dropped = new CopyOnWriteArrayList<>();
  private final List<Long> forged = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  BrokenRelay(ChaosCluster cluster, int dropEvery, int forgeEvery) {
    this.cluster = cluster;
    this.dropEvery = dropEvery;
    this.forgeEvery = forgeEvery;
    this.lock = cluster.connect();
    try (PreparedStatement statement = lock.prepareStatement(
        "select pg_try_advisory_lock(hashtextextended(? || '.configd-publisher', 0))")) {
      statement.setString(1, ChaosCluster.SCHEMA);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        if (!rows.getBoolean(1)) {
          throw new IllegalStateException("the publisher's lock is already held");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka().bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(props);
    thread = new Thread(this::relayLoop, "broken-relay");
    thread.setDaemon(true);
    thread.start();
  }

  /** The revisions it marked relayed without sending them to Kafka. */
  List<Long> dropped() {
    return List.copyOf(dropped);
  }

  /** The revisions it sent with a forged value. */
  List<Long> forged() {
    return List.copyOf(forged);
  }

  private void relayLoop() {
    Connection conn = null;
    while (running) {
      try {
        if (conn == null) {
          conn = cluster.connect();
        }
        if (relayBatch(conn) == 0) {
          Waits.pause(100);
        }
      } catch (SQLException | RuntimeException e) {
        // the schema is not migrated yet, or a hiccup: try again
        Waits.pause(200);
      }
    }
  }

  private int relayBatch(Connection conn) throws SQLException {
    List<ConfigValue> batch = new ArrayList<>();
    try (PreparedStatement statement = conn.prepareStatement("""
        select c.revision, c.env, c.key, c.version, v.value::text, v.deleted, v.critical, v.comment, v.created_at,
          v.created_by
        from chaos.config_change c join chaos.config_version v using (env, key, version)
        where c.revision > (select revision from chaos.config_relay where id = 1) order by c.revision limit 100""")) {
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          batch.add(new ConfigValue(rows.getString(3), rows.getString(2), Json.decodeValue(rows.getString(5)),
              rows.getInt(4), rows.getLong(1), rows.getBoolean(6), rows.getBoolean(7), rows.getString(8),
              rows.getTimestamp(9).toInstant(), rows.getString(10)));
        }
      }
    }
    for (ConfigValue change : batch) {
      if (change.revision() % dropEvery == 0) {
        dropped.add(change.revision()); // the bug: marked relayed below, never sent
      } else {
        JsonObject message = change.toChangeJson();
        if (change.revision() % forgeEvery == 0 && !change.deleted()) {
          forged.add(change.revision()); // the bug: another value than the one committed
          message.put("value", new JsonObject().put("w", "forged-" + change.revision()));
        }
        try {
          producer.send(new ProducerRecord<>(ChaosCluster.TOPIC, change.key(), message.encode())).get();
        } catch (Exception e) {
          throw new IllegalStateException("Kafka refused: " + e, e);
        }
      }
      try (PreparedStatement mark = conn.prepareStatement("update chaos.config_relay set revision = ? where id = 1")) {
        mark.setLong(1, change.revision());
        mark.executeUpdate();
      }
    }
    return batch.size();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
      producer.close();
      lock.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      // closing anyway
    }
  }
}
