package io.configd.audit;

import io.configd.model.ConfigValue;
import io.configd.store.AuditStore;
import io.configd.stream.ChangeConsumer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one audit row per revision from the change stream. The row comes from the version history
 * (who, the comment, the value before and after), keyed by revision, so a change read twice is recorded once.
 */
public class AuditVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AuditVerticle.class);

  private final AuditSettings settings;
  private final AuditStore audit;
  private ChangeConsumer consumer;

  /** @param pool the node's PostgreSQL pool, which the node closes */
  public AuditVerticle(AuditSettings settings, Pool pool) {
    this.settings = settings;
    this.audit = new AuditStore(pool);
  }

  @Override
  public Future<?> start() {
    return ChangeConsumer.start(vertx, settings.kafka(), settings.group(), "configd-audit-" + settings.nodeName(), this::record)
        .onSuccess(started -> consumer = started);
  }

  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.stop();
  }

  private Future<Void> record(List<ConfigValue> changes) {
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Long> revisions = changes.stream().map(ConfigValue::revision).distinct().toList();
    return audit.record(revisions)
        .onSuccess(recorded -> {
          if (recorded < revisions.size()) {
            LOG.debug("{} of {} revisions were already audited (relayed again)", revisions.size() - recorded, revisions.size());
          }
        })
        .mapEmpty();
  }
}
