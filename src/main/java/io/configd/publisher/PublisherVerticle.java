package io.configd.publisher;

import io.configd.cache.CachedReads;
import io.configd.model.Addresses;
import io.configd.model.ConfigValue;
import io.configd.model.Failure;
import io.configd.store.OutboxStore;
import io.configd.store.RolloutFleet;
import io.configd.store.RolloutStore;
import io.configd.store.WritePipeline;
import io.configd.stream.HopTrace;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.producer.RecordMetadata;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the change log (the outbox) to Kafka, in revision order, and marks a change published only
 * once Kafka acknowledged it. Woken by NOTIFY at each commit, and by a slow sweep in case a notification
 * was missed. Only the leader relays (see {@link Leadership}). When Kafka refuses, the backlog stays in
 * PostgreSQL and the relay probes Kafka with one change at a time, backing off, until it answers again.
 */
public class PublisherVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PublisherVerticle.class);
  private static final long FIRST_BACKOFF_MS = 200;

  private final PublisherSettings settings;
  private final long epoch;
  private final OutboxStore outbox;
  private KafkaProducer<String, String> producer;
  private PgSubscriber subscriber;
  private Leadership leadership;
  private TopicSetup topicSetup;
  private final RolloutStore rollouts;
  private final CachedReads cache;
  private RolloutDriver driver;
  private final RolloutFleet fleet;

  /** Where the relay stands. Every state that waits is woken by the one timer ({@link #schedule}). */
  enum State {
    /** The change topic is not known to exist yet: checking it, and again every maxBackoffMs. */
    CHECKING_TOPIC,
    /** Waiting for work: a NOTIFY, the leadership, or the sweep (the timer, every sweepMs). */
    IDLE,
    /** A batch is out; work that arrives meanwhile makes the relay go again at once. */
    RELAYING,
    /** The last batch failed (Kafka refused, or PostgreSQL): waiting out the back-off. */
    BACKING_OFF,
    STOPPED
  }

  /** What the relay last saw of Kafka; while DOWN, it probes with one change at a time. */
  enum Kafka { UNKNOWN, UP, DOWN }

  private State state = State.CHECKING_TOPIC;
  private Kafka kafka = Kafka.UNKNOWN;
  private String kafkaProblem;
  private boolean again;
  private long backoffMs;
  private long timer = -1;
  private Future<Void> inFlight = Future.succeededFuture();

  private String lastError;
  private long relayed;
  private long lastRevision;
  private Instant lastRelayAt;
  private long lastLatencyMs = -1;
  private long maxLatencyMs = -1;
  /** The watermark as this relay last read it from PostgreSQL (-1: not read yet). */
  private long storedWatermark = -1;
  /** Every revision up to this one is acknowledged by Kafka; the next batch's statement stores it. */
  private long relayedUpTo = -1;
  /** When the NOTIFY of each revision not yet sent arrived, for the change path's trace (see HopTrace). */
  private final NotifyTimes notified = new NotifyTimes();

  /**
   * @param pool  the node's PostgreSQL pool, which the node closes
   * @param epoch the database's epoch, which every change message carries (fixed while the node runs)
   * @param writes the node's write pipeline, through which the leader promotes a rollout whose plan is done
   * @param cache  this node's cache, told of a promotion's version before the plan ends
   * @param fleet  what the instances run, the health signal of the rollouts the leader drives
   */
  public PublisherVerticle(PublisherSettings settings, Pool pool, long epoch, WritePipeline writes, CachedReads cache,
                           RolloutFleet fleet) {
    this.settings = settings;
    this.epoch = epoch;
    this.outbox = new OutboxStore(pool);
    this.rollouts = new RolloutStore(pool, writes);
    this.cache = cache;
    this.fleet = fleet;
  }

  @Override
  public Future<?> start() {
    String clientId = "configd-publisher-" + settings.nodeName();
    producer = KafkaProducer.create(vertx, settings.kafka().producerConfig(clientId));
    // Each send's own future reports its failure to the relay; the stream-wide report would only repeat it.
    producer.exceptionHandler(failure -> LOG.debug("Kafka producer: {}", failure.toString()));
    topicSetup = new TopicSetup(vertx, settings.kafka(), clientId + "-admin");
    driver = new RolloutDriver(vertx, rollouts, cache, fleet, settings.rolloutTickMs(), settings.nodeName());
    leadership = new Leadership(vertx, settings.nodeName(), settings.pg().connectOptions(), settings.leaderRetryMs(),
        () -> {
          wake();
          driver.start();
        }, driver::stop);
    subscriber = PgSubscriber.subscriber(vertx, settings.pg().connectOptions())
        .reconnectPolicy(retries -> settings.leaderRetryMs());
    // (Re)subscribed: a notification may have been missed while the connection was down.
    subscriber.channel(OutboxStore.channel(settings.pg().schema()))
        .subscribeHandler(subscribed -> wake())
        .handler(revision -> {
          notified.heard(revision);
          wake();
        });
    return subscriber.connect()
        .compose(connected -> vertx.eventBus().<JsonObject>localConsumer(Addresses.PUBLISHER_STATUS, this::status).completion())
        .onSuccess(ready -> {
          ensureTopic();
          leadership.start();
          LOG.info("Publisher started: relays to topic '{}' when this node leads", settings.kafka().topic());
        });
  }

  /** Lets the batch in flight finish before releasing the leadership, so that two relays never interleave. */
  @Override
  public Future<?> stop() {
    state = State.STOPPED;
    vertx.cancelTimer(timer);
    driver.stop();
    // How the last batch ended does not matter here (it is relayed again later): only that it ended.
    return inFlight.timeout(15, TimeUnit.SECONDS).otherwiseEmpty()
        .eventually(this::storeWatermark)
        .eventually(() -> leadership.stop())
        .eventually(() -> Future.join(subscriber.close(), producer.close(), topicSetup.close()));
  }

  /** The one timer of the relay: whatever waits in the current state runs when it fires. */
  private void schedule(long delayMs) {
    vertx.cancelTimer(timer);
    timer = vertx.setTimer(Math.max(1, delayMs), id -> {
      timer = -1;
      switch (state) {
        case CHECKING_TOPIC -> ensureTopic();
        case BACKING_OFF, IDLE -> { // the back-off is over; or the sweep, in case a notification was missed
          idle();
          wake();
        }
        default -> { }
      }
    });
  }

  private void ensureTopic() {
    topicSetup.ensureTopic()
        .onSuccess(ready -> {
          if (state == State.CHECKING_TOPIC) {
            idle();
            wake();
          }
        })
        .onFailure(failure -> {
          if (state != State.CHECKING_TOPIC) {
            return;
          }
          kafka = Kafka.DOWN;
          kafkaProblem = failure.getMessage();
          LOG.warn("Cannot check topic '{}' ({}); trying again in {} ms", settings.kafka().topic(), failure.toString(),
              settings.maxBackoffMs());
          schedule(settings.maxBackoffMs());
        });
  }

  /** Nothing in flight: the next sweep is due in sweepMs. */
  private void idle() {
    state = State.IDLE;
    schedule(settings.sweepMs());
  }

  /** There may be work: a NOTIFY, the leadership taken, the sweep. */
  private void wake() {
    if (state == State.RELAYING) {
      again = true;
    } else if (state == State.IDLE && leadership.isLeader()) {
      relay();
    }
    // CHECKING_TOPIC and BACKING_OFF relay when their timer fires; STOPPED never does
  }

  private void relay() {
    state = State.RELAYING;
    again = false;
    inFlight = relayBatch().onComplete(done -> {
      if (state == State.STOPPED) {
        return;
      }
      if (done.failed()) {
        backOff(done.cause());
      } else {
        idle();
        if (done.result() > 0 || again) {
          wake();
        }
      }
    }).mapEmpty();
  }

  /**
   * One batch, one statement: it stores the watermark of the previous batch and fetches the oldest changes after it;
   * they are sent in order, and the watermark moves up to the first that Kafka refused.
   */
  private Future<Integer> relayBatch() {
    return outbox.markAndFetch(storedWatermark, Math.max(storedWatermark, relayedUpTo), kafka == Kafka.DOWN ? 1 : settings.batchSize())
        .compose(batch -> {
          storedWatermark = batch.watermark();
          relayedUpTo = batch.watermark();
          return batch.changes().isEmpty() ? Future.succeededFuture(0) : send(batch.changes());
        });
  }

  /** Stores what was acknowledged when nothing follows (stopping): the next leader does not relay it again. */
  private Future<Void> storeWatermark() {
    return relayedUpTo <= storedWatermark || !leadership.isLeader() ? Future.succeededFuture()
        : outbox.markAndFetch(storedWatermark, relayedUpTo, 0).<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<Integer> send(List<ConfigValue> changes) {
    List<Future<RecordMetadata>> sends = new ArrayList<>(changes.size());
    long sentAt = HopTrace.nowMicros();
    for (ConfigValue change : changes) {
      String message = change.toChangeJson().put("epoch", epoch).encode();
      KafkaProducerRecord<String, String> record = KafkaProducerRecord.create(settings.kafka().topic(), change.key(), message);
      HopTrace.stampRelay(record, notified.take(change.revision(), sentAt), sentAt);
      sends.add(producer.send(record));
    }
    return Future.join(sends).transform(acknowledged -> {
      Instant now = Instant.now();
      int acked = 0;
      Throwable refused = null;
      for (Future<RecordMetadata> sent : sends) {
        if (sent.failed()) {
          refused = sent.cause();
          break;
        }
        acked++;
      }
      if (acked > 0) {
        noteRelayed(changes.subList(0, acked), now);
        relayedUpTo = changes.get(acked - 1).revision();
      }
      if (refused != null) {
        return Future.failedFuture(new KafkaRefused(refused));
      }
      return Future.succeededFuture(acked);
    });
  }

  private void noteRelayed(List<ConfigValue> acknowledged, Instant now) {
    ConfigValue last = acknowledged.get(acknowledged.size() - 1);
    relayed += acknowledged.size();
    lastRevision = last.revision();
    lastRelayAt = now;
    lastLatencyMs = Duration.between(last.updatedAt(), now).toMillis();
    maxLatencyMs = Math.max(maxLatencyMs, lastLatencyMs);
    if (kafka == Kafka.DOWN) {
      LOG.info("Kafka acknowledges changes again; relaying the backlog from revision {}", acknowledged.get(0).revision());
    }
    kafka = Kafka.UP;
    kafkaProblem = null;
    lastError = null;
    backoffMs = 0;
  }

  private void backOff(Throwable failure) {
    String problem = failure instanceof KafkaRefused refused ? "Kafka refused a change: " + refused.getCause()
        : "the change log is unreachable: " + failure;
    if (failure instanceof KafkaRefused) {
      kafka = Kafka.DOWN;
      kafkaProblem = failure.getCause().getMessage();
    }
    backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(settings.maxBackoffMs(), backoffMs * 2);
    if (!problem.equals(lastError)) {
      LOG.warn("Relay paused: {}; the backlog waits in PostgreSQL, next try in {} ms", problem, backoffMs);
    }
    lastError = problem;
    state = State.BACKING_OFF;
    schedule(backoffMs);
  }

  /** The state as /v1/stats/publisher shows it: UNKNOWN, UP, or DOWN and why. */
  private String kafkaStatus() {
    return kafka == Kafka.DOWN ? "DOWN: " + kafkaProblem : kafka.name();
  }

  private void status(Message<JsonObject> message) {
    Instant now = Instant.now();
    outbox.backlog()
        .onSuccess(backlog -> {
          JsonObject status = new JsonObject()
              .put("node", settings.nodeName())
              .put("leader", leadership.isLeader())
              .put("topic", settings.kafka().topic())
              .put("topicReady", state != State.CHECKING_TOPIC)
              .put("state", state.name())
              .put("kafka", leadership.isLeader() ? kafkaStatus() : "not checked: this node does not relay")
              .put("backlog", backlog.toJson(now))
              .put("relayed", relayed)
              .put("lastRevision", lastRevision)
              .put("lastRelayAt", lastRelayAt == null ? null : lastRelayAt.toString())
              .put("lastCommitToAckMs", lastLatencyMs < 0 ? null : lastLatencyMs)
              .put("maxCommitToAckMs", maxLatencyMs < 0 ? null : maxLatencyMs)
              .put("lastError", lastError);
          message.reply(status);
        })
        .onFailure(failure -> message.fail(Failure.UNAVAILABLE.code(),
            "the change log is unreachable: " + failure.getMessage()));
  }

  /** Kafka did not acknowledge a change (as opposed to PostgreSQL failing). */
  private static final class KafkaRefused extends RuntimeException {
    KafkaRefused(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
