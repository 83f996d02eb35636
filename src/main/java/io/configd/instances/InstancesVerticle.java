package io.configd.instances;

import io.configd.store.InstancePresence;
import io.configd.store.InstanceStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's heartbeat of its instances: every {@code heartbeatMillis}, writes what changed in the {@link InstanceBook}
 * (hellos, acks, watches, instances that left) to PostgreSQL in one batch, refreshes the others' last_seen in one
 * statement, and forgets the instances gone longer than {@code forgetMillis}. So every node lists the cluster's
 * instances from PostgreSQL, with Redis down as well; an instance whose node died shows as gone once its rows are
 * {@code staleMillis} old. What a failed heartbeat could not write is written by the next one.
 */
public class InstancesVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InstancesVerticle.class);

  private final InstancesSettings settings;
  private final InstanceBook book;
  private final InstanceStore store;
  /** What a failed heartbeat could not write, by instance id; a newer state of the same instance replaces it. */
  private final Map<String, InstancePresence> unwritten = new LinkedHashMap<>();
  private long timer = -1;
  private boolean stopped;
  private boolean failing;

  /** @param pool the node's PostgreSQL pool, which the node closes */
  public InstancesVerticle(InstancesSettings settings, InstanceBook book, Pool pool) {
    this.settings = settings;
    this.book = book;
    this.store = new InstanceStore(pool);
  }

  /** What an earlier run of this node recorded as connected has left: its sockets went with it. */
  @Override
  public Future<?> start() {
    return store.nodeGone(book.node()).onSuccess(v -> schedule());
  }

  /** The API has closed its sockets by now (it stops first): the last changes, then every instance gone from here. */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return write().compose(v -> store.nodeGone(book.node()))
        .recover(failure -> {
          LOG.warn("Could not record this node's instances as gone ({}); they show as gone once {} ms old",
              failure.toString(), settings.staleMillis());
          return Future.succeededFuture();
        });
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(settings.heartbeatMillis(), id -> beat());
    }
  }

  private void beat() {
    write()
        .compose(v -> store.refresh(book.node(), book.ids()))
        .compose(v -> store.forget(settings.forgetMillis()))
        .onSuccess(forgotten -> {
          if (failing) {
            failing = false;
            LOG.info("Instances heartbeat written again");
          }
        })
        .onFailure(failure -> {
          if (!failing) {
            failing = true;
            LOG.warn("Instances heartbeat failed ({}); trying again every {} ms", failure.toString(),
                settings.heartbeatMillis());
          }
        })
        .onComplete(done -> schedule());
  }

  private Future<Void> write() {
    for (InstancePresence presence : book.changed(TimeUnit.MILLISECONDS.toNanos(settings.staleMillis()))) {
      unwritten.remove(presence.instance().id());
      unwritten.put(presence.instance().id(), presence);
    }
    if (unwritten.isEmpty()) {
      return Future.succeededFuture();
    }
    List<InstancePresence> batch = new ArrayList<>(unwritten.values());
    unwritten.clear();
    return store.write(book.node(), batch).onFailure(failure -> {
      for (InstancePresence presence : batch) {
        unwritten.putIfAbsent(presence.instance().id(), presence);
      }
    });
  }
}
