package io.configd.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedStatement;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 1: a write batch and the audit consumer's insert touch the rows of their own keys and revisions, by
 * index, whatever the planner would estimate. Planned freely, both read whole tables: in the write benchmark at 1,000
 * keys, config_entry was scanned three times per batch (V20 says what was measured), and the audit insert hashed the
 * whole version history for each poll (SqlQueries.RECORD_AUDIT). Before V20 this test fails on the audit insert (2
 * sequential scans of config_version); the batch's scans of config_entry, seen in the benchmark's long-lived
 * connections, it did not reproduce. The scans are counted by PostgreSQL itself, in the transaction's own statistics
 * (pg_stat_xact_user_tables), so no timing is involved.
 */
@DisplayName("Writes and the audit insert look their rows up by index")
class WritesLookUpKeysByIndexTest {

  private static final int KEYS = 1_000;
  private static Vertx vertx;
  private static Pool pool;
  private static SqlConnection early;
  private static PreparedStatement earlyRelay;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    PgSettings settings = PgSettings.from(TestServices.nodeConfig("WritesLookUpKeysByIndexTest").getJsonObject("pg"));
    Migrations.migrate(vertx, settings).await();
    pool = settings.pool(vertx);
    // a connection that plans while the tables are all but empty, and keeps those plans (as a node started on a
    // new database does: PL/pgSQL caches a function's plans for the connection's life)
    early = pool.getConnection().await();
    early.query("set plan_cache_mode = force_generic_plan").execute().await();
    early.query(batch("generate_series(0, 0)")).execute().await();
    // the relay's statement planned on the same connection while the change log is all but empty
    earlyRelay = early.prepare(SqlQueries.MARK_AND_SELECT_UNPUBLISHED).await();
    earlyRelay.query().execute(Tuple.of(-1L, -1L, 500)).await();
    // then the keys exist, each with two versions (the audit insert reads each revision's previous version)
    for (int round = 0; round < 2; round++) {
      pool.query(batch("generate_series(1, " + KEYS + ")")).execute().await();
    }
  }

  @AfterAll
  static void stop() {
    early.close().await();
    pool.close().await();
    vertx.close().await();
  }

  @Test
  @DisplayName("on a connection that planned while the tables were empty")
  void plannedEarly() {
    assertNoWholeTableScans(early);
  }

  @Test
  @DisplayName("on a new connection, planned for the call's arrays")
  void plannedNow() {
    SqlConnection connection = pool.getConnection().await();
    try {
      assertNoWholeTableScans(connection);
    } finally {
      connection.close().await();
    }
  }

  @Test
  @DisplayName("the relay's next batch, on a connection that planned it while the tables were empty")
  void relayPlannedEarly() {
    Transaction transaction = early.begin().await();
    var batch = earlyRelay.query().execute(Tuple.of(-1L, -1L, 500)).await();
    Map<String, Long> sequential = new TreeMap<>();
    early.query("""
        select relname, seq_scan from pg_stat_xact_user_tables
        where schemaname = current_schema() and relname in ('config_change', 'config_version')""").execute().await()
        .forEach(row -> sequential.put(row.getString("relname"), row.getLong("seq_scan")));
    transaction.rollback().await();

    assertThat(batch.size()).as("changes read").isEqualTo(500);
    assertThat(sequential).as("sequential scans").isEqualTo(Map.of("config_change", 0L, "config_version", 0L));
  }

  /**
   * A batch of existing and new keys, then the audit rows of 500 revisions: config_entry and config_version are read
   * by index only.
   */
  private static void assertNoWholeTableScans(SqlConnection connection) {
    Transaction transaction = connection.begin().await();
    // 20 keys spread over the table, and 2 that have no entry yet (they get placeholders first)
    connection.query(batch("(select g * 50 from generate_series(1, 20) g union all select " + (KEYS + 1)
        + " union all select " + (KEYS + 2) + ")")).execute().await();
    Long[] revisions = LongStream.rangeClosed(KEYS + 2, KEYS + 501).boxed().toArray(Long[]::new);
    connection.preparedQuery(SqlQueries.RECORD_AUDIT).execute(Tuple.of(revisions)).await();

    Map<String, Long> sequential = new TreeMap<>();
    Map<String, Long> byIndex = new TreeMap<>();
    connection.query("""
        select relname, seq_scan, idx_scan from pg_stat_xact_user_tables
        where schemaname = current_schema() and relname in ('config_entry', 'config_version')""").execute().await()
        .forEach(row -> {
          sequential.put(row.getString("relname"), row.getLong("seq_scan"));
          byIndex.put(row.getString("relname"), row.getLong("idx_scan"));
        });
    transaction.rollback().await();

    assertThat(byIndex).as("index scans").containsOnlyKeys("config_entry", "config_version")
        .allSatisfy((table, scans) -> assertThat(scans).as("index scans of %s", table).isPositive());
    assertThat(sequential).as("sequential scans").isEqualTo(Map.of("config_entry", 0L, "config_version", 0L));
  }

  /** One configd_write_batch call putting the value 1 to each key "plans.k{n}" for the n of the given set. */
  private static String batch(String numbers) {
    return """
        with n as (select row_number() over ()::integer - 1 as item, 'plans.k' || x as key
                   from %s as t(x))
        select count(*) from configd_write_batch(
          (select array_agg(item order by item) from n), (select array_agg(false) from n),
          (select array_agg('put'::text) from n), (select array_agg('production'::text) from n),
          (select array_agg(key order by item) from n), (select array_agg('1'::text) from n),
          (select array_agg(null::boolean) from n), (select array_agg(null::text) from n),
          (select array_agg('test'::text) from n), (select array_agg('none'::text) from n),
          (select array_agg(null::integer) from n), (select array_agg(null::boolean) from n),
          (select array_agg(null::text) from n), (select array_agg(null::integer) from n))""".formatted(numbers);
  }
}
