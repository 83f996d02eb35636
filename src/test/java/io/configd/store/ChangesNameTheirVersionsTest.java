package io.configd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.configd.Eventually;
import io.configd.TestServices;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every reader of the change log (the relay, the catch-up, the revision order's gap fill) reads a change through its
 * version (the change_message view joins them), so a change whose version is missing would be skipped: lost. Until
 * V21 a foreign key kept the rule, with a query and a row lock per change inside the revision counter's lock; since
 * V21 the change log's statement trigger checks the inserted changes once per statement, and a statement trigger on
 * the history refuses to delete a version a change names. Without those two checks (the foreign key dropped alone)
 * the first two tests fail. A rollout's change names a version it did not write, which retention may be pruning at
 * the same moment: it holds the version's row until it commits (the foreign key's lock), or the third test fails.
 */
@DisplayName("Every change in the change log names a version of the history")
class ChangesNameTheirVersionsTest {

  private static final String ENV = "production";
  private static Vertx vertx;
  private static Pool pool;
  private static WritePipeline pipeline;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    PgSettings settings = PgSettings.from(TestServices.nodeConfig("ChangesNameTheirVersionsTest").getJsonObject("pg"));
    Migrations.migrate(vertx, settings).await();
    pool = settings.pool(vertx);
    pipeline = new WritePipeline(pool, 1000, 1);
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
  }

  @Test
  @DisplayName("a change naming a version the history does not hold is refused, with the rows of its statement")
  void changeWithoutItsVersionIsRefused() {
    ConfigValue written = put("named.a", 1);
    long before = count("select count(*) from config_change");

    Throwable refused = inRolledBackTransaction(connection -> connection.query(String.format("""
        insert into config_change (revision, env, key, version)
        values (%d, '%s', 'named.a', 1), (%d, '%s', 'named.a', 2)""",
        written.revision() + 1000, ENV, written.revision() + 1001, ENV)).execute().await());

    assertThat(refused).isInstanceOf(PgException.class);
    assertThat(((PgException) refused).getSqlState()).isEqualTo("23503");
    assertThat(count("select count(*) from config_change")).isEqualTo(before);
  }

  @Test
  @DisplayName("a version a change names cannot be deleted")
  void namedVersionStays() {
    put("named.b", 1);
    put("named.b", 2);

    Throwable refused = inRolledBackTransaction(connection -> connection.query(
        "delete from config_version where key = 'named.b' and version = 1").execute().await());

    assertThat(refused).isInstanceOf(PgException.class);
    assertThat(((PgException) refused).getSqlState()).isEqualTo("23503");
    assertThat(count("select count(*) from config_version where key = 'named.b'")).isEqualTo(2);
  }

  @Test
  @DisplayName("a version a rollout's change names cannot be pruned while that change commits")
  void versionARolloutChangeNamesStaysWhileItCommits() {
    ConfigValue first = put("named.e", 1);
    put("named.e", 2);
    // retention's first step: version 1 is no longer current, its change is pruned; a rollout standing on it goes on
    pool.query("delete from config_change where key = 'named.e' and version = 1").execute().await();
    SqlConnection rollout = pool.getConnection().await();
    SqlConnection retention = pool.getConnection().await();
    try {
      rollout.query("begin").execute().await();
      assertThat(rollout.preparedQuery(SqlQueries.INSERT_ROLLOUT_CONFIG_CHANGE)
          .execute(Tuple.of(first.revision() + 1000, ENV, "named.e", 1)).await().rowCount()).isEqualTo(1);
      retention.query("begin").execute().await();
      int pid = retention.query("select pg_backend_pid()").execute().await().iterator().next().getInteger(0);
      Future<RowSet<Row>> prune = retention.query("delete from config_version where key = 'named.e' and version = 1")
          .execute();
      // the delete either runs through (nothing holds the version) or waits for the rollout's lock: see which
      Eventually.await("the delete ended or waits for a lock", Duration.ofSeconds(10), () -> prune.isComplete()
          || "Lock".equals(pool.preparedQuery("select wait_event_type from pg_stat_activity where pid = $1")
              .execute(Tuple.of(pid)).await().iterator().next().getString(0)));
      rollout.query("commit").execute().await();
      Throwable refused = catchThrowable(prune::await);
      retention.query(refused == null ? "commit" : "rollback").execute().await();

      assertThat(refused).isInstanceOf(PgException.class);
      assertThat(((PgException) refused).getSqlState()).isEqualTo("23503");
      assertThat(count("select count(*) from config_version where key = 'named.e' and version = 1")).isEqualTo(1);
    } finally {
      rollout.close().await();
      retention.close().await();
    }
  }

  @Test
  @DisplayName("writes, a transaction and a deletion leave no change without its version")
  void writesLeaveNoChangeWithoutItsVersion() {
    put("named.c", 1);
    pipeline.transaction(new Transaction(ENV, "test", List.of(
        new TxnOp(TxnOp.Kind.PUT, ConfigKey.parse("named.c"), Json.encode(2), null, null, Precondition.NONE),
        new TxnOp(TxnOp.Kind.PUT, ConfigKey.parse("named.d"), Json.encode(1), null, null, Precondition.NONE)))).await();
    pipeline.write(new Write(ENV, ConfigKey.parse("named.d"), null, true, null, null, "test", Precondition.NONE)).await();

    assertThat(count("""
        select count(*) from config_change c
        where c.key like 'named.%' and not exists (
          select 1 from config_version v where v.env = c.env and v.key = c.key and v.version = c.version)""")).isZero();
    assertThat(count("select count(*) from config_change where key in ('named.c', 'named.d')")).isEqualTo(4);
  }

  private static ConfigValue put(String key, int value) {
    return pipeline.write(new Write(ENV, ConfigKey.parse(key), Json.encode(value), false, null, null, "test",
        Precondition.NONE)).await();
  }

  private static long count(String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }

  /** What the statement threw, its transaction rolled back whatever happened. */
  private static Throwable inRolledBackTransaction(Consumer<SqlConnection> statement) {
    SqlConnection connection = pool.getConnection().await();
    try {
      connection.query("begin").execute().await();
      Throwable thrown = catchThrowable(() -> statement.accept(connection));
      connection.query("rollback").execute().await();
      return thrown;
    } finally {
      connection.close().await();
    }
  }
}
