package io.configd.store;

import io.configd.model.InstanceAck;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/** The instances of the whole cluster (V13__instances.sql): what each node's heartbeat writes, what the API lists. */
public final class InstanceStore {

  private final Pool pool;

  public InstanceStore(Pool pool) {
    this.pool = pool;
  }

  /** Writes what changed of the node's instances, in one batch. */
  public Future<Void> write(String node, List<InstancePresence> changed) {
    if (changed.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = new ArrayList<>(changed.size());
    for (InstancePresence presence : changed) {
      batch.add(Tuple.tuple().addString(presence.instance().id()).addString(node).addString(presence.instance().app())
          .addString(new JsonObject(new TreeMap<String, Object>(presence.instance().labels())).encode())
          .addArrayOfString(presence.transports().toArray(String[]::new))
          .addString(watches(presence.watches()).encode()).addString(acks(presence.acks().values()).encode())
          .addOffsetDateTime(presence.connectedAt().atOffset(ZoneOffset.UTC))
          .addBoolean(presence.gone()));
    }
    return pool.preparedQuery(SqlQueries.UPSERT_INSTANCE).executeBatch(batch).mapEmpty();
  }

  /** The node's instances still connected were seen now. */
  public Future<Void> refresh(String node, Collection<String> connected) {
    if (connected.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(SqlQueries.REFRESH_INSTANCES).execute(Tuple.tuple().addString(node).addArrayOfString(connected.toArray(String[]::new)))
        .mapEmpty();
  }

  /** Everything the node had recorded as connected has left (it starts, or stops). */
  public Future<Void> nodeGone(String node) {
    return pool.preparedQuery(SqlQueries.NODE_INSTANCES_GONE).execute(Tuple.of(node)).mapEmpty();
  }

  /** Forgets the instances gone longer ago than {@code millis}; how many. */
  public Future<Integer> forget(long millis) {
    return pool.preparedQuery(SqlQueries.FORGET_INSTANCES).execute(Tuple.of(millis)).map(rows -> rows.rowCount());
  }

  /**
   * A page of the instances watching something of {@code env} that overlaps {@code prefix}, by id after
   * {@code after}; {@code state} "connected", "gone" or null for both.
   */
  public Future<List<InstanceRow>> list(String env, String prefix, String after, long staleMillis, String state,
                                        int limit) {
    return pool.preparedQuery(SqlQueries.SELECT_INSTANCES)
        .execute(Tuple.of(env, prefix, after, staleMillis, state, limit))
        .map(rows -> {
          List<InstanceRow> page = new ArrayList<>();
          rows.forEach(row -> page.add(InstanceRow.from(row)));
          return page;
        });
  }

  /** Every instance whose watches cover {@code key} of {@code env}, connected or gone. */
  public Future<List<KeyInstance>> watching(String env, String key, long staleMillis) {
    return pool.preparedQuery(SqlQueries.SELECT_KEY_INSTANCES).execute(Tuple.of(env, key, staleMillis))
        .map(rows -> {
          List<KeyInstance> found = new ArrayList<>();
          rows.forEach(row -> found.add(KeyInstance.from(row)));
          return found;
        });
  }

  private static JsonArray watches(Collection<String> watches) {
    JsonArray list = new JsonArray();
    for (String watch : watches) {
      int colon = watch.indexOf(':');
      list.add(new JsonObject().put("env", watch.substring(0, colon)).put("prefix", watch.substring(colon + 1)));
    }
    return list;
  }

  private static JsonObject acks(Collection<InstanceAck> acks) {
    JsonObject byEnv = new JsonObject();
    for (InstanceAck ack : acks) {
      byEnv.put(ack.env(), new JsonObject().put("revision", ack.revision()).put("failures", ack.failures())
          .put("keys", new JsonObject(new TreeMap<String, Object>(ack.keys()))));
    }
    return byEnv;
  }
}
