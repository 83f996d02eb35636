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
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the change stream in a consumer group, at least once: poll a batch, hand it to the work, and count the
 * batch's offsets done only when the work succeeded. When the work fails, the batch is read again after a back-off,
 * so the work must be idempotent by revision.
 *
 * <p>The offsets done are committed every {@link #COMMIT_EVERY_MS} or {@link #COMMIT_EVERY_RECORDS} records, when
 * the group takes partitions away, and at the stop, not after every poll: the client's commit is a synchronous round
 * trip to the group coordinator on the consumer's only thread (4.5 % of a writing node's CPU when every poll of the
 * three groups committed, at 1,000 changes/s). A committed offset still only ever covers records whose work is done,
 * so a late or lost commit makes a member read again at most that window's records (duplicates, which drop by
 * revision: the audit row and the webhook's alert are keyed by it), and never skips one.
 */
public final class ChangeConsumer {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeConsumer.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  private static final long MAX_BACKOFF_MS = 10_000;
  /** The longest a change's offset waits to be committed: what a killed member's successor may read again. */
  static final long COMMIT_EVERY_MS = 1_000;
  static final int COMMIT_EVERY_RECORDS = 5_000;

  private final Vertx vertx;
  private final String name;
  private final KafkaConsumer<String, String> consumer;
  private final Function<List<ConfigValue>, Future<Void>> work;
  private volatile boolean running;
  private long backoffMs;
  /** The next offset of each partition whose records' work is done, not committed yet. */
  private final Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
  private int doneRecords;
  private long committedAt = System.nanoTime();

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
    // The handler runs on the context once the client gave the partitions up: the commit may then be refused, or
    // land after the next owner started from the previous commit; either way only work done is committed.
    consumer.partitionsRevokedHandler(revoked -> changes.commitDone());
    return consumer.subscribe(kafka.topic()).map(subscribed -> {
      LOG.info("Consumer group '{}' reading topic '{}'", changes.name, kafka.topic());
      changes.running = true;
      changes.next();
      return changes;
    });
  }

  public Future<Void> stop() {
    running = false;
    return commitDone().eventually(consumer::close);
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
      return commitIfDue(); // a quiet stream still commits what the last batches did
    }
    int read = changes.size();
    return work.apply(changes)
        .recover(failure -> rewind(first).compose(rewound -> Future.failedFuture(failure)))
        .compose(worked -> {
          done.putAll(commit);
          doneRecords += read;
          return commitIfDue();
        });
  }

  private Future<Void> commitIfDue() {
    boolean due = doneRecords >= COMMIT_EVERY_RECORDS
        || System.nanoTime() - committedAt >= TimeUnit.MILLISECONDS.toNanos(COMMIT_EVERY_MS);
    return due ? commitDone() : Future.succeededFuture();
  }

  /** Commits the offsets done so far; never fails (what is not committed is read again, at least once). */
  private Future<Void> commitDone() {
    committedAt = System.nanoTime();
    if (done.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(done);
    done.clear();
    doneRecords = 0;
    return consumer.commit(offsets)
        .<Void>mapEmpty()
        .recover(failure -> {
          // A rebalance took the partitions away: their next owner reads these records again (at least once).
          LOG.warn("Consumer group '{}' could not commit offsets: {}", name, failure.toString());
          return Future.succeededFuture();
        });
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
