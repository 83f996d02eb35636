package io.configd.store;

import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/** The secrets' keys in PostgreSQL (data keys, master key check values) and the re-encryption of sealed versions. */
public final class SecretStore {

  /** A data key as stored: wrapped by the master key {@code masterKey}, first made under {@code createdFor}. */
  public record DataKeyRow(int id, String masterKey, String wrapped, String createdFor) {
  }

  /** One sealed version to seal again. */
  public record SealedVersion(String env, String key, int version, String sealed, int dataKey) {
  }

  private final Pool pool;

  public SecretStore(Pool pool) {
    this.pool = pool;
  }

  /** Master key id → its stored key check value. */
  public Future<Map<String, String>> checkValues() {
    return pool.preparedQuery(SqlQueries.SELECT_MASTER_KEY_CHECKS).execute().map(rows -> {
      Map<String, String> checks = new HashMap<>();
      rows.forEach(row -> checks.put(row.getString("id"), row.getString("check_value")));
      return checks;
    });
  }

  /** Stores the check value of a master key id seen for the first time (the first node's wins). */
  public Future<Void> recordCheckValue(String id, String checkValue) {
    return pool.preparedQuery(SqlQueries.INSERT_MASTER_KEY_CHECK).execute(Tuple.of(id, checkValue)).mapEmpty();
  }

  public Future<List<DataKeyRow>> dataKeys() {
    return pool.preparedQuery(SqlQueries.SELECT_DATA_KEYS).execute().map(rows -> {
      List<DataKeyRow> keys = new ArrayList<>();
      rows.forEach(row -> keys.add(new DataKeyRow(row.getInteger("id"), row.getString("master_key"),
          row.getString("wrapped"), row.getString("created_for"))));
      return keys;
    });
  }

  /**
   * Adds a data key made for {@code masterKey} unless one exists; {@code wrap} wraps the new key for the id it gets
   * (the wrapping binds the id). Nodes racing: one insert wins, the others read it back.
   */
  public Future<Void> addDataKey(String masterKey, Function<Integer, String> wrap) {
    return pool.withTransaction(conn -> conn.query(SqlQueries.LOCK_DATA_KEYS).execute()
        .compose(locked -> conn.preparedQuery(SqlQueries.SELECT_DATA_KEYS).execute())
        .compose(rows -> {
          int next = 1;
          for (Row row : rows) {
            if (row.getString("created_for").equals(masterKey)) {
              return Future.succeededFuture();
            }
            next = Math.max(next, row.getInteger("id") + 1);
          }
          return conn.preparedQuery(SqlQueries.INSERT_DATA_KEY)
              .execute(Tuple.of(next, masterKey, wrap.apply(next))).mapEmpty();
        }));
  }

  /** Wraps a data key again under another master key, if it is still wrapped by {@code from}; true when it was. */
  public Future<Boolean> rewrap(int id, String from, String to, String wrapped) {
    return pool.preparedQuery(SqlQueries.REWRAP_DATA_KEY).execute(Tuple.of(id, from, to, wrapped))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Every secret key, as "env/key". */
  public Future<List<String>> secretKeys() {
    return pool.preparedQuery(SqlQueries.SELECT_SECRET_KEYS).execute().map(rows -> {
      List<String> keys = new ArrayList<>();
      rows.forEach(row -> keys.add(row.getString("env") + "/" + row.getString("key")));
      return keys;
    });
  }

  /**
   * One round in one transaction, if no other node holds the round's lock: at most {@code batch} sealed versions not
   * under {@code activeKey} sealed again by {@code reseal}, and the current entries updated to match. The number of
   * versions sealed again (-1: another node holds the lock).
   */
  public Future<Integer> reencrypt(int activeKey, int batch, Function<SealedVersion, String> reseal) {
    return pool.withTransaction(conn -> conn.preparedQuery(SqlQueries.TRY_REENCRYPT_LOCK).execute()
        .compose(lock -> !lock.iterator().next().getBoolean("locked") ? Future.succeededFuture(-1)
            : conn.preparedQuery(SqlQueries.SELECT_SEALED_UNDER_OTHER_KEYS).execute(Tuple.of(activeKey, batch))
                .compose(rows -> {
                  List<Tuple> updates = new ArrayList<>();
                  for (Row row : rows) {
                    SealedVersion version = new SealedVersion(row.getString("env"), row.getString("key"),
                        row.getInteger("version"), row.getString("sealed"), row.getInteger("data_key"));
                    updates.add(Tuple.of(version.env(), version.key(), version.version(), reseal.apply(version),
                        activeKey));
                  }
                  return updates.isEmpty() ? Future.succeededFuture(0) : resealed(conn, updates);
                })));
  }

  private static Future<Integer> resealed(SqlConnection conn, List<Tuple> updates) {
    return conn.preparedQuery(SqlQueries.UPDATE_VERSION_SEALED).executeBatch(updates)
        .compose(done -> conn.preparedQuery(SqlQueries.UPDATE_ENTRIES_SEALED).execute())
        .map(done -> updates.size());
  }

  /** A value a secret key stored in clear before it became secret: its JSON text, to seal. */
  public record ClearValue(String env, String key, String encodedValue) {
  }

  /**
   * One round of history sealing in one transaction, if no other node holds the secrets' round lock: at most
   * {@code batch} versions, {@code batch} pending ops and {@code batch} rollouts of secret keys that still hold a
   * value in clear (written before the key was made secret) get the mask as their value and {@code seal}'s ciphertext
   * beside it; the audit rows and webhook bodies of secret keys get the mask. How many values were sealed or masked
   * (-1: another node holds the lock).
   */
  public Future<Integer> sealHistory(int batch, Function<ClearValue, Sealer.Sealed> seal) {
    return pool.withTransaction(conn -> conn.preparedQuery(SqlQueries.TRY_REENCRYPT_LOCK).execute()
        .compose(lock -> !lock.iterator().next().getBoolean("locked") ? Future.succeededFuture(-1)
            : sealVersions(conn, batch, seal)
                .compose(versions -> sealPendingOps(conn, batch, seal).map(ops -> versions + ops))
                .compose(sealed -> sealRollouts(conn, batch, seal).map(rollouts -> sealed + rollouts))
                .compose(sealed -> masked(conn, SqlQueries.MASK_AUDIT_ROWS_OF_SECRETS).map(rows -> sealed + rows))
                .compose(sealed -> masked(conn, SqlQueries.MASK_PENDING_BASE_VALUES_OF_SECRETS).map(rows -> sealed + rows))
                .compose(sealed -> masked(conn, SqlQueries.MASK_NOTIFICATIONS_OF_SECRETS).map(rows -> sealed + rows))));
  }

  private static Future<Integer> sealVersions(SqlConnection conn, int batch, Function<ClearValue, Sealer.Sealed> seal) {
    return conn.preparedQuery(SqlQueries.SELECT_CLEAR_VERSIONS_OF_SECRETS).execute(Tuple.of(batch)).compose(rows -> {
      List<Tuple> updates = new ArrayList<>();
      for (Row row : rows) {
        String value = row.getString("value");
        Sealer.Sealed sealed = value == null ? null
            : seal.apply(new ClearValue(row.getString("env"), row.getString("key"), value));
        updates.add(Tuple.of(row.getString("env"), row.getString("key"), row.getInteger("version"),
            sealed == null ? null : ConfigValue.MASK, sealed == null ? null : sealed.ciphertext(),
            sealed == null ? null : sealed.dataKey()));
      }
      return updated(conn, SqlQueries.UPDATE_VERSION_MADE_SECRET, updates);
    });
  }

  private static Future<Integer> sealPendingOps(SqlConnection conn, int batch, Function<ClearValue, Sealer.Sealed> seal) {
    return sealed(conn, batch, seal, SqlQueries.SELECT_CLEAR_PENDING_OPS_OF_SECRETS, SqlQueries.UPDATE_PENDING_OP_SEALED,
        (row, sealed) -> Tuple.of(row.getUUID("pending"), row.getInteger("ord"), ConfigValue.MASK, sealed.ciphertext()));
  }

  private static Future<Integer> sealRollouts(SqlConnection conn, int batch, Function<ClearValue, Sealer.Sealed> seal) {
    return sealed(conn, batch, seal, SqlQueries.SELECT_CLEAR_ROLLOUTS_OF_SECRETS, SqlQueries.UPDATE_ROLLOUT_SEALED,
        (row, sealed) -> Tuple.of(row.getLong("id"), ConfigValue.MASK, sealed.ciphertext(), sealed.dataKey()));
  }

  /** Seals the clear value of each row {@code select} finds (at most {@code batch}) and stores it by {@code update}. */
  private static Future<Integer> sealed(SqlConnection conn, int batch, Function<ClearValue, Sealer.Sealed> seal,
                                        String select, String update, BiFunction<Row, Sealer.Sealed, Tuple> updateOf) {
    return conn.preparedQuery(select).execute(Tuple.of(batch)).compose(rows -> {
      List<Tuple> updates = new ArrayList<>();
      for (Row row : rows) {
        Sealer.Sealed sealed = seal.apply(new ClearValue(row.getString("env"), row.getString("key"),
            row.getString("value")));
        updates.add(updateOf.apply(row, sealed));
      }
      return updated(conn, update, updates);
    });
  }

  private static Future<Integer> updated(SqlConnection conn, String sql, List<Tuple> updates) {
    return updates.isEmpty() ? Future.succeededFuture(0)
        : conn.preparedQuery(sql).executeBatch(updates).map(done -> updates.size());
  }

  private static Future<Integer> masked(SqlConnection conn, String sql) {
    return conn.preparedQuery(sql).execute(Tuple.of(ConfigValue.MASK)).map(rows -> rows.rowCount());
  }

  /** Data key id → how many sealed versions it seals. */
  public Future<Map<Integer, Long>> sealedPerDataKey() {
    return pool.preparedQuery(SqlQueries.COUNT_SEALED_BY_DATA_KEY).execute().map(rows -> {
      Map<Integer, Long> counts = new LinkedHashMap<>();
      rows.forEach(row -> counts.put(row.getInteger("data_key"), row.getLong("versions")));
      return counts;
    });
  }

}
