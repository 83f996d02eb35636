package io.configd.propagation;

import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.KeyPrefix;
import io.configd.model.WireTime;
import io.configd.store.ConfigStore;
import io.configd.store.Sealer;
import io.configd.store.Failures;
import io.configd.store.RolloutStore;
import io.configd.stream.HopTrace;
import io.configd.stream.TxnCounts;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndTimestamp;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka → this node's event bus. Reads every partition of the change topic, drops duplicates by
 * revision (the relay is at-least-once), invalidates the node's caches and publishes each change,
 * on this node only, at config.&lt;env&gt;.&lt;key&gt; and at every ancestor address. Also answers the
 * bridge's snapshot and catch-up requests from PostgreSQL.
 */
public class PropagationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PropagationVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** Clocks of the nodes and the broker may differ a little; reading a few seconds more costs only duplicates. */
  private static final long START_MARGIN_MILLIS = 5000;

  private final LongAdder published = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  /** From the change's commit to its publication to this node's subscribers, for the last change (-1: none yet). */
  private long lastLagMillis = -1;
  private final PropagationSettings settings;
  private final ConfigStore store;
  private final Sealer sealer;
  private final RolloutStore rollouts;
  private KafkaConsumer<String, String> consumer;
  private long assignTimer = -1;
  private int assignedPartitions;
  private long startedAt;
  private RevisionOrder order;
  /** The released changes of the transaction whose last change has not come yet, and its id. */
  private final List<RevisionOrder.Held> txnParts = new ArrayList<>();
  private Long txnPartsId;
  /** The highest revision released in order: one below it comes late (its gap was given up). */
  private long releasedInOrder = -1;

  /** @param pool the node's PostgreSQL pool, which the node closes */
  public PropagationVerticle(PropagationSettings settings, Pool pool) {
    this(settings, pool, Sealer.NONE);
  }

  /** @param sealer told of every secret key a change names, so that the node's writes to it are sealed at once */
  public PropagationVerticle(PropagationSettings settings, Pool pool, Sealer sealer) {
    this.settings = settings;
    this.store = new ConfigStore(pool);
    this.sealer = sealer;
    this.rollouts = new RolloutStore(pool, null);
  }

  @Override
  public Future<?> start() {
    startedAt = System.currentTimeMillis();
    order = new RevisionOrder(vertx, settings.orderWaitMs(), settings.orderMaxHoldMs(), store::changesBetween,
        this::release);
    consumer = KafkaConsumer.create(vertx, settings.kafka().readerConfig("configd-propagation-" + settings.nodeName()));
    consumer.exceptionHandler(failure -> LOG.warn("Kafka consumer: {}", failure.toString()));
    Future<Void> snapshots = vertx.eventBus().<JsonObject>consumer(Addresses.SNAPSHOT, this::snapshot).completion();
    Future<Void> changes = vertx.eventBus().<JsonObject>consumer(Addresses.CHANGES, this::changes).completion();
    Future<Void> stats = vertx.eventBus().<JsonObject>localConsumer(Addresses.PROPAGATION_STATS,
        message -> message.reply(new JsonObject().put("published", published.sum()).put("duplicates", duplicates.sum())
            .put("assignedPartitions", assignedPartitions).put("lastLagMillis", lastLagMillis < 0 ? null : lastLagMillis)
            .put("order", order.stats()))).completion();
    // Kafka may be down: the node starts without it and begins where it started once Kafka answers.
    return Future.all(snapshots, changes, stats).onSuccess(ready -> assignEveryPartition());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(assignTimer);
    order.stop();
    return consumer.close();
  }

  /**
   * Takes every partition of the topic and starts from the first record written since shortly
   * before this verticle started: nothing relayed after the node came up is skipped, even when the
   * topic or Kafka appears later; anything older reaches subscribers by snapshot and catch-up, and
   * what is read twice is dropped by revision. Without a topic or Kafka the node starts anyway and
   * tries again every second.
   */
  private Future<Void> assignEveryPartition() {
    String topic = settings.kafka().topic();
    // Released in order from the head of the change log: everything up to it is in every snapshot and catch-up.
    Future<Void> head = order.started() ? Future.succeededFuture()
        : store.headRevision().onSuccess(order::start).mapEmpty();
    return head.compose(started -> consumer.partitionsFor(topic))
        .compose(partitions -> {
          if (partitions.isEmpty()) {
            return Future.failedFuture("topic " + topic + " has no partitions yet");
          }
          Set<TopicPartition> all = partitions.stream()
              .map(info -> new TopicPartition(topic, info.getPartition())).collect(Collectors.toSet());
          Map<TopicPartition, Long> since = new HashMap<>();
          all.forEach(partition -> since.put(partition, startedAt - START_MARGIN_MILLIS));
          // The handler comes last: it starts the poll loop, and the consumer must not be used concurrently.
          return consumer.assign(all)
              // The end offsets first: a record relayed while the times are looked up lands at or after them.
              .compose(v -> consumer.endOffsets(all))
              .compose(ends -> consumer.offsetsForTimes(since).compose(found -> seekEach(List.copyOf(all), found, ends)))
              .onSuccess(v -> {
                consumer.handler(this::onRecord);
                assignedPartitions = all.size();
                LOG.info("Propagating changes from {} partitions of {}", all.size(), topic);
              });
        })
        .recover(failure -> {
          LOG.warn("Cannot read {} yet ({}); retrying every second", topic, failure.getMessage());
          assignTimer = vertx.setTimer(1000, id -> assignEveryPartition());
          return Future.succeededFuture();
        });
  }

  /**
   * One partition after the other: to the first record since the start time, or, when none is newer, to the end the
   * partition had before the times were looked up. Not to its end now: a record relayed in between (the topic just
   * created, the first change of a new node) would be skipped, and with no later change nothing would ask for it.
   */
  private Future<Void> seekEach(List<TopicPartition> partitions, Map<TopicPartition, OffsetAndTimestamp> found,
      Map<TopicPartition, Long> ends) {
    Future<Void> chain = Future.succeededFuture();
    for (TopicPartition partition : partitions) {
      OffsetAndTimestamp offset = found.get(partition);
      long position = offset != null ? offset.getOffset() : ends.getOrDefault(partition, 0L);
      chain = chain.compose(v -> consumer.seek(partition, position));
    }
    return chain;
  }

  private void onRecord(KafkaConsumerRecord<String, String> record) {
    JsonObject change;
    try {
      change = new JsonObject(record.value());
    } catch (RuntimeException e) {
      LOG.error("Skipping an unreadable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
          e.getMessage());
      return;
    }
    long consumedAt = nowMicros();
    // Dropping the cached entry needs no order (fills and invalidations are version-checked), nor dropping
    // duplicates: a revision already released from the change log still invalidates when Kafka brings it.
    vertx.eventBus().publish(Addresses.CACHE_INVALIDATE, change, LOCAL);
    if (!order.offer(new RevisionOrder.Held(change.getLong("revision"), change, HopTrace.relayed(record), consumedAt))) {
      duplicates.increment();
    }
  }

  /**
   * A change whose turn has come: every earlier revision has been published on this node before it. A transaction's
   * changes wait until its last one has come, then go out together: each at its change addresses, then the whole set
   * at {@link Addresses#TXN_RELEASED}, so a subscriber gets all of them back to back and can tell how many.
   */
  private void release(RevisionOrder.Held held) {
    JsonObject txn = held.change().getJsonObject("txn");
    if (held.revision() < releasedInOrder) {
      // released late, after its gap was given up: the rest of its transaction went out before it, or never comes
      if (txn == null) {
        publish(held);
      } else {
        releaseTxn(List.of(held));
      }
      return;
    }
    releasedInOrder = held.revision();
    if (!txnParts.isEmpty() && (txn == null || !txn.getLong("id").equals(txnPartsId))) {
      releaseTxn(); // a part of a transaction whose rest was given up (a gap the change log could not fill)
    }
    if (txn == null) {
      publish(held);
      return;
    }
    txnPartsId = txn.getLong("id");
    txnParts.add(held);
    if (held.revision() >= txn.getLong("last")) {
      releaseTxn();
    }
  }

  private void releaseTxn() {
    List<RevisionOrder.Held> parts = List.copyOf(txnParts);
    txnParts.clear();
    releaseTxn(parts);
  }

  private void releaseTxn(List<RevisionOrder.Held> parts) {
    JsonArray changes = new JsonArray();
    parts.forEach(part -> changes.add(publish(part)));
    RevisionOrder.Held last = parts.get(parts.size() - 1);
    vertx.eventBus().publish(Addresses.TXN_RELEASED, new JsonObject().put("changes", changes),
        new DeliveryOptions().setLocalOnly(true).setHeaders(HopTrace.released(last.relayed(), last.consumedMicros(),
            nowMicros())));
  }

  /**
   * While a revision given up is outstanding ({@link RevisionOrder#resumeAfter}), each change goes out with
   * {@code resumeAfter}: where a subscriber resumes to get it, below the newest revision it has seen.
   */
  private JsonObject publish(RevisionOrder.Held held) {
    long resumeAfter = order.resumeAfter();
    JsonObject change = resumeAfter < 0 ? held.change() : held.change().copy().put("resumeAfter", resumeAfter);
    String env = change.getString("env");
    if (change.getBoolean("secret", false)) {
      sealer.learnSecret(env, change.getString("key"));
    }
    DeliveryOptions options = new DeliveryOptions().setLocalOnly(true)
        .setHeaders(HopTrace.released(held.relayed(), held.consumedMicros(), nowMicros()));
    for (String path : ConfigKey.parse(change.getString("key")).selfAndAncestors()) {
      vertx.eventBus().publish(Addresses.change(env, path), change, options);
    }
    vertx.eventBus().publish(Addresses.change(env, ""), change, options);
    published.increment();
    String updatedAt = change.getString("updatedAt");
    if (updatedAt != null) { // a record written before the one naming carries none
      lastLagMillis = Math.max(0, System.currentTimeMillis() - WireTime.parse(updatedAt).toEpochMilli());
    }
    return change;
  }

  static long nowMicros() {
    return HopTrace.nowMicros();
  }

  /**
   * A page of current values; for a request naming an instance ({@code instance: {id, labels}}, set by the bridge from
   * the socket's identity), each key a live rollout targets that instance with holds the rollout's value instead.
   */
  private void snapshot(Message<JsonObject> request) {
    JsonObject body = request.body();
    String after = body.getString("after", "");
    String env = body.getString("env");
    KeyPrefix prefix = KeyPrefix.parse(body.getString("prefix"));
    Reader reader = Reader.of(body);
    store.snapshot(env, prefix, after, settings.snapshotPageSize())
        .compose(snapshot -> (reader.anonymous() ? Future.succeededFuture(snapshot.items())
            : rollouts.liveValues(env, prefix).map(live -> reader.overlay(snapshot.items(), live)))
            .map(items -> {
              JsonArray json = new JsonArray();
              items.forEach(value -> json.add(value.toChangeJson()));
              return new JsonObject().put("env", env).put("prefix", body.getString("prefix"))
                  .put("revision", snapshot.revision()).put("epoch", snapshot.epoch()).put("items", json)
                  .put("next", snapshot.next());
            }))
        .onSuccess(request::reply)
        .onFailure(failure -> Failures.reply(request, failure));
  }

  /** The changes after a revision; a rollout's change only for an instance it targets ({@link Reader}). */
  private void changes(Message<JsonObject> request) {
    JsonObject body = request.body();
    Reader reader = Reader.of(body);
    store.changes(body.getString("env"), KeyPrefix.parse(body.getString("prefix")), body.getLong("since"),
            body.getInteger("limit", 1000), null)
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          page.items().stream().filter(reader::receives).forEach(value -> items.add(value.toChangeJson()));
          request.reply(new JsonObject().put("items", TxnCounts.put(items)).put("next", page.next()).put("head", page.head())
              .put("more", page.more()).put("epoch", page.epoch()));
        })
        .onFailure(failure -> Failures.reply(request, failure));
  }
}
