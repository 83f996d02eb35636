package io.configd.store;

import io.configd.model.ConfigValue;
import io.vertx.core.json.Json;
import io.vertx.sqlclient.Row;

/** A row of the current entries, the version history or the change log, read the one way the queries shape it. */
final class ConfigValueRow {

  private ConfigValueRow() {
  }

  /**
   * Columns key, env, value (JSON text, null when deleted), version, revision, deleted, critical, comment, updated_at,
   * updated_by, and txn, txn_last where the query reads the version history (null when no transaction wrote it), and
   * the rollout's columns where it reads the change log.
   */
  static ConfigValue from(Row row) {
    String value = row.getString("value");
    return new ConfigValue(row.getString("key"), row.getString("env"), value == null ? null : Json.decodeValue(value),
        row.getInteger("version"), row.getLong("revision"), row.getBoolean("deleted"), row.getBoolean("critical"),
        row.getString("comment"), row.getOffsetDateTime("updated_at").toInstant(), row.getString("updated_by"),
        txn(row), rollout(row), secrecy(row), row.getColumnIndex("sealed") < 0 ? null : row.getString("sealed"));
  }

  /** A secret key's version as PostgreSQL holds it: sealed, or (a deletion) with nothing to hide. */
  private static ConfigValue.Secrecy secrecy(Row row) {
    if (row.getColumnIndex("secret") < 0 || !Boolean.TRUE.equals(row.getBoolean("secret"))) {
      return ConfigValue.Secrecy.NONE;
    }
    return row.getString("sealed") != null ? ConfigValue.Secrecy.SEALED : ConfigValue.Secrecy.MASKED;
  }

  /** Columns rollout_id, rollout_kind, rollout_selector, rollout_basis_points where the query reads the change log. */
  private static ConfigValue.Rollout rollout(Row row) {
    if (row.getColumnIndex("rollout_id") < 0) {
      return null;
    }
    Long id = row.getLong("rollout_id");
    return id == null ? null : new ConfigValue.Rollout(id, row.getString("rollout_kind"),
        row.getString("rollout_selector"), row.getInteger("rollout_basis_points"));
  }

  private static ConfigValue.Txn txn(Row row) {
    if (row.getColumnIndex("txn") < 0) {
      return null;
    }
    Long id = row.getLong("txn");
    return id == null ? null : new ConfigValue.Txn(id, row.getLong("txn_last"));
  }
}
