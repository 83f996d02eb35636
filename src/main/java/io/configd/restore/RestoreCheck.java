package io.configd.restore;

import io.configd.store.EpochStore;
import io.configd.stream.KafkaSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check that keeps a restored database from rewinding its readers. Kafka keeps what was published
 * whatever happens to PostgreSQL, so before the node relays or takes a write it compares the database's head and epoch
 * with the newest change record of the topic. A database behind it (Kafka carries a revision it does not have, or a
 * newer epoch) was restored from an older dump: the node starts a new epoch and moves the head up to Kafka's newest
 * revision, so no revision is handed out twice and every client, seeing the new epoch, takes a fresh snapshot.
 */
public final class RestoreCheck {

  private static final Logger LOG = LoggerFactory.getLogger(RestoreCheck.class);

  private RestoreCheck() {
  }

  /** The epoch the node serves: the database's, or a new one when the database was restored. */
  public static Future<Long> run(Vertx vertx, RestoreSettings settings, KafkaSettings kafka, Pool pool, String nodeName) {
    EpochStore epochs = new EpochStore(pool);
    if (!settings.checkKafka()) {
      return epochs.current().map(EpochStore.Current::epoch);
    }
    // the Kafka client blocks: on a worker thread, as the migrations
    return vertx.executeBlocking(() -> NewestRecords.read(kafka, "configd-restore-check-" + nodeName,
            settings.kafkaTimeoutMs()))
        .transform(read -> {
          if (read.succeeded()) {
            return check(epochs, read.result().orElse(null));
          }
          LOG.warn("Cannot read the newest records of '{}' ({}): starting without checking whether the database was "
              + "restored. After a restore, start the first node with Kafka reachable.", kafka.topic(),
              read.cause().getMessage());
          return epochs.current().map(EpochStore.Current::epoch);
        });
  }

  private static Future<Long> check(EpochStore epochs, Published published) {
    if (published == null) {
      return epochs.current().map(EpochStore.Current::epoch);
    }
    long epochAtLeast = Math.max(System.currentTimeMillis(), published.epoch() + 1);
    return epochs.checkAndStart((revision, epoch) -> {
      if (!published.isAhead(revision, epoch)) {
        return null;
      }
      LOG.warn("The database is behind what Kafka carries (head revision {} of epoch {}; Kafka has revision {} of "
          + "epoch {}): it was restored. Starting a new epoch at revision {}: clients take a fresh snapshot.",
          revision, epoch, published.revision(), published.epoch(), Math.max(revision, published.revision()));
      return Math.max(revision, published.revision());
    }, epochAtLeast).map(current -> {
      LOG.info("Epoch {}, head revision {}", current.epoch(), current.revision());
      return current.epoch();
    });
  }
}
