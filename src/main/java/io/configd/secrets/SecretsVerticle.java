package io.configd.secrets;

import io.configd.model.Addresses;
import io.configd.store.Failures;
import io.configd.store.SecretStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-encryption without downtime: every {@code reencryptIntervalMs}, the versions sealed under another data key than
 * the current master key's are opened and sealed again under it, a batch per transaction, until none is left. Every
 * node runs it; a transaction-scoped advisory lock makes one node do a round at a time. Readers keep being served
 * throughout: an older data key stays (wrapped by the current master key) for the copies Redis and Kafka hold.
 * Each round then seals what keys made secret stored in clear before (history sealing, {@link SecretStore#sealHistory}).
 */
public class SecretsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SecretsVerticle.class);
  /** Batches in one round: the rest waits for the next round, so one round never hogs the pool. */
  private static final int MAX_BATCHES = 100;

  private final Secrets secrets;
  private final SecretStore store;
  private MessageConsumer<Void> status;
  private long timer = -1;
  private boolean stopped;
  private long resealed;
  private long sealedAfter;

  public SecretsVerticle(Secrets secrets, SecretStore store) {
    this.secrets = secrets;
    this.store = store;
  }

  @Override
  public Future<?> start() {
    status = vertx.eventBus().localConsumer(Addresses.SECRETS_STATUS,
        message -> status().onComplete(message::reply, failure -> Failures.reply(message, failure)));
    if (secrets.settings().enabled()) {
      vertx.setTimer(1, id -> round());
    }
    return status.completion();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return status.unregister();
  }

  private void round() {
    batches(0).compose(resealedAll -> historyBatches(0)).onFailure(failure -> LOG.warn("Re-encryption round failed ({}); trying again in {} ms",
            failure.toString(), secrets.settings().reencryptIntervalMs()))
        .onComplete(done -> {
          if (!stopped) {
            timer = vertx.setTimer(secrets.settings().reencryptIntervalMs(), id -> round());
          }
        });
  }

  private Future<Void> batches(int done) {
    if (stopped || done >= MAX_BATCHES) {
      return Future.succeededFuture();
    }
    int active = secrets.activeDataKey();
    return store.reencrypt(active, secrets.settings().reencryptBatchSize(),
            version -> secrets.reseal(version.env(), version.key(), version.sealed()))
        .compose(count -> {
          if (count <= 0) {
            return Future.succeededFuture();
          }
          resealed += count;
          LOG.info("Re-encryption: {} versions sealed again under data key {} ({} by this node)", count, active,
              resealed);
          return batches(done + 1);
        });
  }

  /** The values keys made secret stored in clear before, sealed (and their audit rows masked), a batch at a time. */
  private Future<Void> historyBatches(int done) {
    if (stopped || done >= MAX_BATCHES) {
      return Future.succeededFuture();
    }
    return store.sealHistory(secrets.settings().reencryptBatchSize(),
            clear -> secrets.seal(clear.env(), clear.key(), clear.encodedValue()))
        .compose(count -> {
          if (count <= 0) {
            return Future.succeededFuture();
          }
          sealedAfter += count;
          LOG.info("History sealing: {} values of keys made secret sealed or masked ({} by this node)", count,
              sealedAfter);
          return historyBatches(done + 1);
        });
  }

  /** The master keys, the data keys with what each seals and wraps, and what is left to re-encrypt. */
  private Future<JsonObject> status() {
    SecretsSettings settings = secrets.settings();
    if (!settings.enabled()) {
      return Future.succeededFuture(new JsonObject().put("enabled", false));
    }
    return store.dataKeys().compose(keys -> store.sealedPerDataKey().map(counts -> {
      int active = secrets.activeDataKey();
      JsonArray dataKeys = new JsonArray();
      long pending = 0;
      for (SecretStore.DataKeyRow key : keys) {
        long sealed = counts.getOrDefault(key.id(), 0L);
        dataKeys.add(new JsonObject().put("id", key.id()).put("wrappedBy", key.masterKey())
            .put("createdFor", key.createdFor()).put("active", key.id() == active).put("sealedVersions", sealed));
        if (key.id() != active) {
          pending += sealed;
        }
      }
      List<String> wrapping = keys.stream().map(SecretStore.DataKeyRow::masterKey).distinct().toList();
      JsonArray removable = new JsonArray();
      for (SecretsSettings.MasterKey master : settings.masterKeys().subList(1, settings.masterKeys().size())) {
        if (!wrapping.contains(master.id()) && pending == 0) {
          removable.add(master.id());
        }
      }
      return new JsonObject().put("enabled", true)
          .put("masterKeys", new JsonArray(settings.masterKeys().stream().map(SecretsSettings.MasterKey::id).toList()))
          .put("primaryMasterKey", settings.primary().id())
          .put("activeDataKey", active)
          .put("dataKeys", dataKeys)
          .put("reencryption", new JsonObject().put("pendingVersions", pending).put("complete", pending == 0)
              .put("resealedByThisNode", resealed))
          .put("historySealedByThisNode", sealedAfter)
          .put("removableMasterKeys", removable);
    }));
  }

}
