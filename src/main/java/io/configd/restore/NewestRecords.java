package io.configd.restore;

import io.configd.stream.KafkaSettings;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Reads the last records of every partition of the change topic: the newest change Kafka carries. Blocking. */
final class NewestRecords {

  /** Records read back from each partition's end: the newest revision is among them whatever else shares the log. */
  private static final int TAIL = 50;

  private NewestRecords() {
  }

  /** Empty when the topic does not exist or holds nothing; fails with a TimeoutException when Kafka does not answer. */
  static Optional<Published> read(KafkaSettings kafka, String clientId, long timeoutMs) throws TimeoutException {
    Map<String, Object> config = new HashMap<>(kafka.readerConfig(clientId));
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    Duration timeout = Duration.ofMillis(timeoutMs);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<PartitionInfo> infos = consumer.partitionsFor(kafka.topic(), timeout);
      if (infos == null || infos.isEmpty()) {
        return Optional.empty();
      }
      List<TopicPartition> partitions = new ArrayList<>();
      infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
      Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions, timeout);
      List<TopicPartition> toRead = new ArrayList<>();
      for (TopicPartition partition : partitions) {
        if (ends.getOrDefault(partition, 0L) > begins.getOrDefault(partition, 0L)) {
          toRead.add(partition);
        }
      }
      consumer.assign(toRead);
      toRead.forEach(partition -> consumer.seek(partition, Math.max(begins.get(partition), ends.get(partition) - TAIL)));
      Published newest = null;
      while (!toRead.isEmpty()) {
        if (System.nanoTime() - deadline > 0) {
          throw new TimeoutException("Kafka did not return the last records of " + kafka.topic() + " within "
              + timeoutMs + " ms");
        }
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          newest = newer(newest, record.value());
        }
        toRead.removeIf(partition -> consumer.position(partition, timeout) >= ends.get(partition));
      }
      return Optional.ofNullable(newest);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new TimeoutException("Kafka did not answer within " + timeoutMs + " ms: " + e.getMessage());
    }
  }

  private static Published newer(Published newest, String value) {
    try {
      JsonObject change = new JsonObject(value);
      Published record = new Published(change.getLong("revision", 0L), change.getLong("epoch", 0L));
      if (newest == null) {
        return record;
      }
      return new Published(Math.max(newest.revision(), record.revision()), Math.max(newest.epoch(), record.epoch()));
    } catch (RuntimeException e) {
      return newest; // not a change record: nothing configd published
    }
  }
}
