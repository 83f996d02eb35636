package io.configd.retention;

import io.configd.store.RetentionStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes the change log and the audit log every {@code intervalMs}, batch after batch until nothing is due. Every node
 * runs it; a transaction-scoped advisory lock makes one node prune at a time, so the work happens in one place.
 */
public class RetentionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);
  /** Batches in one round: the rest waits for the next round, so one round never hogs the pool. */
  private static final int MAX_BATCHES = 100;

  private final RetentionSettings settings;
  private final RetentionStore store;
  private long timer = -1;
  private boolean stopped;

  /** @param pool the node's PostgreSQL pool, which the node closes */
  public RetentionVerticle(RetentionSettings settings, Pool pool) {
    this.settings = settings;
    this.store = new RetentionStore(pool);
  }

  @Override
  public Future<?> start() {
    if (settings.prunesChanges() || settings.prunesAudit()) {
      schedule();
      LOG.info("Retention: change log {}, audit log {}, every {} ms", limits(settings.changesMaxAgeMs(),
          settings.changesMaxCount()), limits(settings.auditMaxAgeMs(), settings.auditMaxCount()), settings.intervalMs());
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(settings.intervalMs(), id -> round());
    }
  }

  private void round() {
    Future<Void> changes = settings.prunesChanges() ? changes(0, 0) : Future.succeededFuture();
    changes.compose(v -> settings.prunesAudit() ? audit(0, 0) : Future.succeededFuture())
        .onFailure(failure -> LOG.warn("Retention round failed ({}); trying again in {} ms", failure.toString(),
            settings.intervalMs()))
        .onComplete(done -> schedule());
  }

  private Future<Void> changes(int batches, long pruned) {
    return store.pruneChanges(settings.changesMaxAgeMs(), settings.changesMaxCount(), settings.batchSize())
        .compose(batch -> {
          long total = pruned + batch.changes();
          if (batch.moved() && batches + 1 < MAX_BATCHES && !stopped) {
            return changes(batches + 1, total);
          }
          if (total > 0) {
            LOG.info("Retention pruned {} changes of the change log; it keeps every change after revision {}", total,
                batch.to());
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> audit(int batches, long pruned) {
    return store.pruneAudit(settings.auditMaxAgeMs(), settings.auditMaxCount(), settings.batchSize())
        .compose(deleted -> {
          if (deleted > 0 && batches + 1 < MAX_BATCHES && !stopped) {
            return audit(batches + 1, pruned + deleted);
          }
          if (pruned + deleted > 0) {
            LOG.info("Retention pruned {} rows of the audit log", pruned + deleted);
          }
          return Future.succeededFuture();
        });
  }

  private static String limits(long maxAgeMs, long maxCount) {
    if (maxAgeMs == 0 && maxCount == 0) {
      return "kept whole";
    }
    return (maxAgeMs > 0 ? "older than " + maxAgeMs + " ms" : "") + (maxAgeMs > 0 && maxCount > 0 ? " or " : "")
        + (maxCount > 0 ? "beyond the newest " + maxCount + " revisions" : "") + " pruned";
  }
}
