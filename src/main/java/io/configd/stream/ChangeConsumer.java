package io.configd.stream;

import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the change stream in a consumer group, at least once: poll a batch, hand it to the work, commit
 * the batch's offsets only when the work succeeded. When the work fails, the batch is read again after a
 * back-off, so the work must be idempotent by revision.
 */
public final class ChangeConsumer {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeConsumer.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  private static final long MAX_BACKOFF_MS = 10_000;

  private final Vertx vertx;
  private final String name;
  private final KafkaConsumer<String, String> consumer;
  private final Function<List<ConfigValue>, Future<Void>> work;
  private volatile boolean running;
  private long backoffMs;
  private Future<Void> loop = Future.succeededFuture();

  private ChangeConsumer(Vertx vertx, String name, KafkaConsumer<String, String> consumer,
                         Function<List<ConfigValue>, Future<Void>> work) {
    this.vertx = vertx;
    this.name = name;
    this.consumer = consumer;
    this.work = work;
  }

  /** Subscribes {@code group} (plus the configured suffix) to the topic and starts the poll loop. */
  public static Future<ChangeConsumer> start(Vertx vertx, KafkaSettings kafka, String group, String clientId,
                                             Function<List<ConfigValue>, Future<Void>> work) {
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(vertx, kafka.consumerConfig(group, clientId));
    ChangeConsumer changes = new ChangeConsumer(vertx, group + kafka.groupSuffix(), consumer, work);
    return consumer.subscribe(kafka.topic()).map(subscribed -> {
      LOG.info("Consumer group '{}' reading topic '{}'", changes.name, kafka.topic());
      changes.running = true;
      changes.next();
      return changes;
    });
  }

  public Future<Void> stop() {
    running = false;
    return consumer.close();
  }

  private void next() {
    if (!running) {
      return;
    }
    consumer.poll(POLL_TIMEOUT)
        .compose(records -> handle(records.records()))
        .onComplete(done -> {
          if (done.succeeded()) {
            backoffMs = 0;
            next();
          } else if (running) {
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs == 0 ? 250 : backoffMs * 2);
            LOG.warn("Consumer group '{}': {}; reading the batch again in {} ms", name, done.cause().toString(), backoffMs);
            vertx.setTimer(backoffMs, id -> next());
          }
        });
  }

  private Future<Void> handle(Iterable<ConsumerRecord<String, String>> records) {
    List<ConfigValue> changes = new ArrayList<>();
    Map<TopicPartition, Long> first = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    for (ConsumerRecord<String, String> record : records) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      first.putIfAbsent(partition, record.offset());
      commit.put(partition, new OffsetAndMetadata(record.offset() + 1, null));
      ConfigValue change = decode(record);
      if (change != null) {
        changes.add(change);
      }
    }
    if (commit.isEmpty()) {
      return Future.succeededFuture();
    }
    return work.apply(changes)
        .recover(failure -> rewind(first).compose(rewound -> Future.failedFuture(failure)))
        .compose(done -> consumer.commit(commit)
            .recover(failure -> {
              // A rebalance took the partitions away: their next owner reads the batch again (at least once).
              LOG.warn("Consumer group '{}' could not commit offsets: {}", name, failure.toString());
              return Future.succeededFuture();
            }))
        .mapEmpty();
  }

  private Future<Void> rewind(Map<TopicPartition, Long> first) {
    List<Future<Void>> seeks = new ArrayList<>();
    first.forEach((partition, offset) -> seeks.add(consumer.seek(partition, offset)));
    return Future.join(seeks).mapEmpty();
  }

  /** A record that is not a change can never become one: it is logged with its position and skipped. */
  private ConfigValue decode(ConsumerRecord<String, String> record) {
    try {
      return ConfigValue.fromJson(new JsonObject(record.value()));
    } catch (DecodeException | NullPointerException | ClassCastException e) {
      LOG.error("Consumer group '{}' skips a record that is not a change at {}-{} offset {}: {}", name, record.topic(),
          record.partition(), record.offset(), e.toString());
      return null;
    }
  }
}
