package io.configd.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TestServices;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 1 at the door itself: the writes that queue while a batch commits leave together, each with its
 * own outcome. The batch is made deterministic by holding the revision row's lock from another connection, so that
 * the first write waits in PostgreSQL while the others queue behind it.
 */
@DisplayName("The write pipeline")
class WritePipelineTest {

  private static final String ENV = "production";
  private static Vertx vertx;
  private static Pool pool;
  private static WritePipeline pipeline;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    PgSettings settings = PgSettings.from(TestServices.nodeConfig("WritePipelineTest").getJsonObject("pg"));
    Migrations.migrate(vertx, settings).await();
    pool = settings.pool(vertx);
    // one batch in flight: the writes sent while it is blocked queue up behind it as one batch
    pipeline = new WritePipeline(pool, 1000, 1);
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
  }

  @Test
  @DisplayName("a batch holding a failing If-Match, a delete of a missing key and a bad rollback: only those fail, "
      + "each with its own problem; two writes to one key apply in order")
  void failingWritesFailAlone() {
    put("batch.a", 1, Precondition.NONE).await();
    put("batch.b", 1, Precondition.NONE).await();
    long batchesBefore = pipeline.stats().getLong("batches");

    List<Future<ConfigValue>> writes;
    SqlConnection blocker = pool.getConnection().await();
    try {
      Transaction held = blocker.begin().await();
      blocker.query("select revision from config_revision where id = 1 for update").execute().await();
      Future<ConfigValue> first = put("batch.first", 0, Precondition.NONE);
      Eventually.await("the first batch is in flight", Duration.ofSeconds(10),
          () -> pipeline.stats().getInteger("inFlight") == 1);
      writes = List.of(first,
          put("batch.a", 2, new Precondition.Version(1)),
          put("batch.b", 2, new Precondition.Version(7)),
          put("batch.c", 1, Precondition.ABSENT),
          put("batch.a", 3, new Precondition.Version(2)),
          delete("batch.never"),
          pipeline.rollback(ENV, ConfigKey.parse("batch.b"), 99, null, "test", Precondition.NONE));
      Eventually.await("the writes queue behind it", Duration.ofSeconds(10),
          () -> pipeline.stats().getInteger("queued") == 5);
      held.rollback().await();
    } finally {
      blocker.close().await();
    }
    Future.join(writes).otherwiseEmpty().await();

    assertThat(writes.get(0).result().version()).isEqualTo(1);
    assertThat(writes.get(1).result().version()).isEqualTo(2);
    assertRefused(writes.get(2), Failure.PRECONDITION_FAILED, "If-Match: \"7\" but the current version is 1");
    assertThat(writes.get(3).result().version()).isEqualTo(1);
    assertThat(writes.get(4).result().version()).as("the second write to batch.a saw the first").isEqualTo(3);
    assertThat(writes.get(4).result().revision()).isEqualTo(writes.get(1).result().revision() + 2);
    assertRefused(writes.get(5), Failure.NOT_FOUND, "does not exist");
    assertRefused(writes.get(6), Failure.NOT_FOUND, "has no version 99");
    JsonObject stats = pipeline.stats();
    assertThat(stats.getLong("batches") - batchesBefore).as("%s", stats).isEqualTo(2);
    assertThat(stats.getLong("largestBatch")).isGreaterThanOrEqualTo(5);

    ConfigStore store = new ConfigStore(pool);
    assertThat(store.current(ENV, ConfigKey.parse("batch.b")).await().orElseThrow().version()).isEqualTo(1);
    assertThat(store.current(ENV, ConfigKey.parse("batch.never")).await()).isEmpty();
    assertThat(store.headRevision().await()).isEqualTo(writes.get(4).result().revision());
  }

  @Test
  @DisplayName("a value PostgreSQL refuses fails alone: the batch is recorded again write by write")
  void refusedValueFailsAlone() {
    SqlConnection blocker = pool.getConnection().await();
    List<Future<ConfigValue>> writes;
    try {
      Transaction held = blocker.begin().await();
      blocker.query("select revision from config_revision where id = 1 for update").execute().await();
      Future<ConfigValue> first = put("split.first", 0, Precondition.NONE);
      Eventually.await("the first batch is in flight", Duration.ofSeconds(10),
          () -> pipeline.stats().getInteger("inFlight") == 1);
      writes = List.of(first, put("split.a", 1, Precondition.NONE),
          pipeline.write(new Write(ENV, ConfigKey.parse("split.bad"), Json.encode("nul \u0000 inside"), false, null,
              null, "test", Precondition.NONE)),
          put("split.c", 1, Precondition.NONE));
      Eventually.await("the writes queue behind it", Duration.ofSeconds(10),
          () -> pipeline.stats().getInteger("queued") == 3);
      held.rollback().await();
    } finally {
      blocker.close().await();
    }
    Future.join(writes).otherwiseEmpty().await();

    assertThat(writes.get(1).succeeded()).isTrue();
    assertThat(writes.get(2).cause()).isInstanceOf(PgException.class);
    assertThat(writes.get(3).succeeded()).isTrue();
    assertThat(writes.get(3).result().revision()).isEqualTo(writes.get(1).result().revision() + 1);
    assertThat(pipeline.stats().getLong("splitBatches")).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("two batches in flight: the second waits in PostgreSQL for the first, the rest queue as one batch; "
      + "revisions stay gap-free and each write keeps its outcome")
  void twoBatchesInFlight() {
    WritePipeline pipelined = new WritePipeline(pool, 1000, 2);
    long head = new ConfigStore(pool).headRevision().await();
    List<Future<ConfigValue>> writes = new ArrayList<>();
    SqlConnection blocker = pool.getConnection().await();
    try {
      Transaction held = blocker.begin().await();
      int blockerPid = blocker.query("select pg_backend_pid()").execute().await().iterator().next().getInteger(0);
      blocker.query("select revision from config_revision where id = 1 for update").execute().await();
      writes.add(put(pipelined, "flight.a", 1, Precondition.NONE));
      writes.add(put(pipelined, "flight.b", 1, Precondition.NONE));
      Eventually.await("two batches in flight", Duration.ofSeconds(10),
          () -> pipelined.stats().getInteger("inFlight") == 2);
      // in PostgreSQL too: a batch still on its way when the row is released could come after the third batch (the
      // second waiter of a row waits on the first one's tuple lock)
      Eventually.await("both batches wait for the revision row", Duration.ofSeconds(10),
          () -> waitingOn(blockerPid) == 1 && waitingOnWaitersOf(blockerPid) == 1);
      writes.add(put(pipelined, "flight.c", 1, Precondition.NONE));
      writes.add(put(pipelined, "flight.a", 2, new Precondition.Version(7)));
      writes.add(put(pipelined, "flight.d", 1, Precondition.ABSENT));
      assertThat(pipelined.stats().getInteger("queued")).as("a third batch waits in the node").isEqualTo(3);
      held.rollback().await();
    } finally {
      blocker.close().await();
    }
    Future.join(writes).otherwiseEmpty().await();

    assertRefused(writes.get(3), Failure.PRECONDITION_FAILED, "If-Match: \"7\" but the current version is 1");
    List<Long> revisions = new ArrayList<>();
    for (int i : List.of(0, 1, 2, 4)) {
      assertThat(writes.get(i).succeeded()).as("write %d: %s", i, writes.get(i)).isTrue();
      revisions.add(writes.get(i).result().revision());
    }
    assertThat(revisions).containsExactlyInAnyOrder(head + 1, head + 2, head + 3, head + 4);
    assertThat(revisions.get(3)).as("the queued writes shared the third batch, in order").isEqualTo(revisions.get(2) + 1);
    // a batch's writes are answered before the pipeline counts it done and takes the next
    Eventually.await("the pipeline idle again", Duration.ofSeconds(10), () -> pipelined.stats().getInteger("inFlight") == 0);
    JsonObject stats = pipelined.stats();
    assertThat(stats.getLong("batches")).as("%s", stats).isEqualTo(3);
    assertThat(new ConfigStore(pool).headRevision().await()).isEqualTo(head + 4);
  }

  @Test
  @DisplayName("with a batch in flight a further one goes only once as many ops wait as that batch holds: "
      + "fewer wait for its commit, then leave together")
  void aFurtherBatchWaitsUntilItIsAsLarge() {
    WritePipeline pipelined = new WritePipeline(pool, 1000, 2);
    long head = new ConfigStore(pool).headRevision().await();
    Future<TxnResult> txn;
    List<Future<ConfigValue>> writes = new ArrayList<>();
    SqlConnection blocker = pool.getConnection().await();
    try {
      Transaction held = blocker.begin().await();
      int blockerPid = blocker.query("select pg_backend_pid()").execute().await().iterator().next().getInteger(0);
      blocker.query("select revision from config_revision where id = 1 for update").execute().await();
      txn = pipelined.transaction(new io.configd.store.Transaction(ENV, "test", List.of(
          new TxnOp(TxnOp.Kind.PUT, ConfigKey.parse("grow.t1"), "1", null, null, Precondition.NONE),
          new TxnOp(TxnOp.Kind.PUT, ConfigKey.parse("grow.t2"), "1", null, null, Precondition.NONE),
          new TxnOp(TxnOp.Kind.PUT, ConfigKey.parse("grow.t3"), "1", null, null, Precondition.NONE))));
      Eventually.await("the transaction's batch waits for the revision row", Duration.ofSeconds(10),
          () -> waitingOn(blockerPid) == 1);
      writes.add(put(pipelined, "grow.a", 1, Precondition.NONE));
      writes.add(put(pipelined, "grow.b", 1, Precondition.NONE));
      JsonObject waiting = pipelined.stats();
      assertThat(waiting.getInteger("inFlight")).as("two writes behind a batch of three ops: %s", waiting).isEqualTo(1);
      assertThat(waiting.getInteger("queued")).isEqualTo(2);
      writes.add(put(pipelined, "grow.c", 1, Precondition.NONE));
      JsonObject sent = pipelined.stats();
      assertThat(sent.getInteger("inFlight")).as("three writes: a second batch goes: %s", sent).isEqualTo(2);
      assertThat(sent.getInteger("queued")).isZero();
      held.rollback().await();
    } finally {
      blocker.close().await();
    }
    Future.join(writes).otherwiseEmpty().await();
    txn.otherwiseEmpty().await();

    assertThat(txn.succeeded()).as("%s", txn).isTrue();
    assertThat(txn.result().revision()).isEqualTo(head + 3);
    List<Long> revisions = new ArrayList<>();
    for (Future<ConfigValue> write : writes) {
      assertThat(write.succeeded()).as("%s", write).isTrue();
      revisions.add(write.result().revision());
    }
    assertThat(revisions).as("the three writes shared the second batch, in order").containsExactly(head + 4, head + 5,
        head + 6);
    Eventually.await("the pipeline idle again", Duration.ofSeconds(10), () -> pipelined.stats().getInteger("inFlight") == 0);
    assertThat(pipelined.stats().getLong("batches")).isEqualTo(2);
  }

  @Test
  @DisplayName("a key's first write waits for another batch creating the same key, not only on the revision row: "
      + "the second batch sees the first one's version")
  void firstWritesOfOneKeyFromTwoNodes() {
    // a second pipeline on the same database, as a clustered node's
    WritePipeline other = new WritePipeline(pool, 1000, 1);
    Future<ConfigValue> first;
    Future<ConfigValue> second;
    SqlConnection blocker = pool.getConnection().await();
    try {
      Transaction held = blocker.begin().await();
      int blockerPid = blocker.query("select pg_backend_pid()").execute().await().iterator().next().getInteger(0);
      blocker.query("select revision from config_revision where id = 1 for update").execute().await();
      first = put("fresh.k", 1, Precondition.NONE);
      Eventually.await("the first batch waits for the revision row", Duration.ofSeconds(10),
          () -> waitingOn(blockerPid) == 1);
      second = put(other, "fresh.k", 2, Precondition.ABSENT);
      Eventually.await("the second batch waits for the first, which has not taken the revision row",
          Duration.ofSeconds(10), () -> waitingOnWaitersOf(blockerPid) == 1);
      held.rollback().await();
    } finally {
      blocker.close().await();
    }
    Future.join(first, second).otherwiseEmpty().await();

    assertThat(first.succeeded()).as("%s", first).isTrue();
    assertThat(first.result().version()).isEqualTo(1);
    assertRefused(second, Failure.PRECONDITION_FAILED, "it exists at version 1");
    assertThat(other.stats().getLong("failedBatches")).isZero();
    assertThat(new ConfigStore(pool).current(ENV, ConfigKey.parse("fresh.k")).await().orElseThrow().version())
        .isEqualTo(1);
  }

  @Test
  @DisplayName("two nodes' pipelines writing new and existing keys at once, with and without If-Match: no batch "
      + "refused or deadlocked, each key's versions in revision order, revisions gap-free")
  void twoPipelinesOnNewKeys() {
    List<WritePipeline> nodes = List.of(new WritePipeline(pool, 1000, 2), new WritePipeline(pool, 1000, 2));
    long head = new ConfigStore(pool).headRevision().await();
    Random random = new Random(18);
    List<Future<ConfigValue>> writes = new ArrayList<>();
    for (int round = 0; round < 40; round++) {
      for (int i = 0; i < 16; i++) {
        String key = "both.k" + random.nextInt(12) + "." + (round / 10);
        Precondition expected = switch (random.nextInt(3)) {
          case 0 -> Precondition.NONE;
          case 1 -> Precondition.ABSENT;
          default -> new Precondition.Version(1 + random.nextInt(3));
        };
        writes.add(put(nodes.get(i % 2), key, round, expected));
      }
      Future.join(new ArrayList<>(writes.subList(writes.size() - 16, writes.size()))).otherwiseEmpty().await();
    }

    int written = 0;
    for (Future<ConfigValue> write : writes) {
      if (write.failed()) {
        assertThat(write.cause()).as("%s", write.cause()).isInstanceOf(ConfigdException.class);
        assertThat(((ConfigdException) write.cause()).failure()).isEqualTo(Failure.PRECONDITION_FAILED);
      } else {
        written++;
      }
    }
    for (WritePipeline node : nodes) {
      assertThat(node.stats().getLong("splitBatches")).as("%s", node.stats()).isZero();
      assertThat(node.stats().getLong("failedBatches")).as("%s", node.stats()).isZero();
    }
    long now = new ConfigStore(pool).headRevision().await();
    assertThat(now - head).as("one revision per write that succeeded").isEqualTo(written);
    var rows = pool.preparedQuery("""
        select count(*) filter (where v.version <> (select count(*) from config_version w
                                                    where w.env = v.env and w.key = v.key and w.revision <= v.revision))
               as out_of_order,
               count(*) as versions, count(distinct v.revision) as revisions, min(v.revision) as first,
               max(v.revision) as last
        from config_version v where v.env = $1 and v.key like 'both.%'""")
        .execute(Tuple.of(ENV)).await().iterator().next();
    assertThat(rows.getLong("out_of_order")).isZero();
    assertThat(rows.getLong("versions")).isEqualTo(written);
    assertThat(rows.getLong("revisions")).isEqualTo(written);
    assertThat(rows.getLong("first")).isEqualTo(head + 1);
    assertThat(rows.getLong("last")).isEqualTo(now);
    assertThat(pool.query("select count(*) from config_entry where version = 0").execute().await().iterator().next()
        .getLong(0)).as("no placeholder entry committed").isZero();
  }

  /** Backends of this database whose lock waits on the backend {@code pid}. */
  private static int waitingOn(int pid) {
    return pool.preparedQuery("select count(*) from pg_stat_activity a where $1 = any(pg_blocking_pids(a.pid))")
        .execute(Tuple.of(pid)).await().iterator().next().getInteger(0);
  }

  /** Backends waiting on one that waits on {@code pid}. */
  private static int waitingOnWaitersOf(int pid) {
    return pool.preparedQuery("""
        select count(*) from pg_stat_activity a
        where exists (select 1 from pg_stat_activity b
                      where $1 = any(pg_blocking_pids(b.pid)) and b.pid = any(pg_blocking_pids(a.pid)))""")
        .execute(Tuple.of(pid)).await().iterator().next().getInteger(0);
  }

  private static Future<ConfigValue> put(String key, int value, Precondition expected) {
    return put(pipeline, key, value, expected);
  }

  private static Future<ConfigValue> put(WritePipeline pipeline, String key, int value, Precondition expected) {
    return pipeline.write(new Write(ENV, ConfigKey.parse(key), Json.encode(value), false, null, null, "test", expected));
  }

  private static Future<ConfigValue> delete(String key) {
    return pipeline.write(new Write(ENV, ConfigKey.parse(key), null, true, null, null, "test", Precondition.NONE));
  }

  private static void assertRefused(Future<ConfigValue> write, Failure failure, String detail) {
    assertThat(write.failed()).as("%s", write).isTrue();
    assertThat(write.cause()).isInstanceOf(ConfigdException.class);
    assertThat(((ConfigdException) write.cause()).failure()).isEqualTo(failure);
    assertThat(write.cause().getMessage()).contains(detail);
  }
}
