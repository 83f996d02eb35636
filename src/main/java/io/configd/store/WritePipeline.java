package io.configd.store;

import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door every write of a node goes through once the API has checked its grants and input (PUT, DELETE,
 * rollback, POST /v1/txn, import, an approved pending change). Each write first passes the node's {@link WriteGuard}
 * (schemas and approval policies), whatever route it came by. Group commit: while one batch is being committed, the writes that arrive queue up; when
 * it commits they leave together as the next batch, recorded by one statement (configd_write_batch) in one
 * PostgreSQL transaction: one counter bump, one round trip, one flush. A batch never waits for a timer, so a lone
 * write goes at once. Each write keeps its own outcome; a future completes only once its write has committed.
 * Built once by the node and shared by its API instances (thread-safe).
 */
public final class WritePipeline {

  private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);

  private final Pool pool;
  private final ConfigStore store;
  private final int maxOps;
  private final int maxInFlight;
  private final WriteGuard guard;
  private final WriteStats stats = new WriteStats();
  private final Deque<BatchItem<?>> queue = new ArrayDeque<>();
  private int inFlight;

  /**
   * @param maxOps      the most ops one batch carries (a larger transaction goes alone)
   * @param maxInFlight the most batches sent to PostgreSQL at once (at least 1)
   * @param guard       what every write passes first: the schemas and approval policies
   */
  public WritePipeline(Pool pool, int maxOps, int maxInFlight, WriteGuard guard) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
    }
    this.pool = pool;
    this.store = new ConfigStore(pool);
    this.maxOps = maxOps;
    this.maxInFlight = maxInFlight;
    this.guard = guard;
  }

  /** Without guards: for tests of the store alone. */
  public WritePipeline(Pool pool, int maxOps, int maxInFlight) {
    this(pool, maxOps, maxInFlight, WriteGuard.NONE);
  }

  /**
   * Records a new version of a key; fails with PRECONDITION_FAILED when {@code write.expected()} does not hold, with
   * SCHEMA_VIOLATION or {@link HeldForApproval} when the guard refuses or holds it.
   */
  public Future<ConfigValue> write(Write write) {
    return guard.admit(Proposal.of(write), null).compose(admitted -> enqueue(new BatchItem.Single(write)));
  }

  /** Whether the write's value satisfies its key's schema, without writing it or asking any approval (a rollout's value). */
  public Future<Void> checkSchemas(Write write) {
    return guard.schemas(Proposal.of(write));
  }

  /** Whether every value of the transaction satisfies its key's schema, writing nothing (an import's dry run). */
  public Future<Void> checkSchemas(Transaction txn) {
    return guard.schemas(Proposal.of(txn));
  }

  /** Records every op of the transaction in one commit with contiguous revisions, or none of them. */
  public Future<TxnResult> transaction(Transaction txn) {
    return guard.admit(Proposal.of(txn), null).compose(admitted -> enqueue(new BatchItem.Txn(txn)));
  }

  /** An approved pending change of one op: its schema checked again, its approval policy satisfied by {@code approver}. */
  public Future<ConfigValue> writeApproved(Write write, String approver) {
    return guard.admit(Proposal.of(write), approver).compose(admitted -> enqueue(new BatchItem.Single(write)));
  }

  /** An approved pending transaction, as {@link #writeApproved}. */
  public Future<TxnResult> transactionApproved(Transaction txn, String approver) {
    return guard.admit(Proposal.of(txn), approver).compose(admitted -> enqueue(new BatchItem.Txn(txn)));
  }

  /** Writes the value of an earlier version as a new version (history is immutable, so it is read first). */
  public Future<ConfigValue> rollback(String env, ConfigKey key, int version, String comment, String actor,
                                      Precondition expected) {
    return store.version(env, key, version)
        .compose(found -> {
          ConfigValue target = found.orElseThrow(() -> new ConfigdException(Failure.NOT_FOUND,
              "key '" + key + "' has no version " + version + " in " + env));
          if (target.deleted()) {
            throw new ConfigdException(Failure.CONFLICT, "version " + version + " of '" + key
                + "' is a deletion; delete the key with DELETE instead of rolling back to it");
          }
          String why = comment != null ? comment : "rollback to version " + version;
          return write(new Write(env, key, Json.encode(target.value()), false, target.critical(), why, actor, expected));
        });
  }

  /** Batches, writes per batch and their sizes, for GET /v1/stats/writes. */
  public synchronized JsonObject stats() {
    return stats.toJson(queue.size(), inFlight).put("maxOpsPerBatch", maxOps).put("maxBatchesInFlight", maxInFlight);
  }

  private <T> Future<T> enqueue(BatchItem<T> item) {
    List<BatchItem<?>> batch;
    synchronized (this) {
      queue.add(item);
      if (inFlight == maxInFlight) {
        return item.future();
      }
      inFlight++;
      batch = take();
    }
    run(batch);
    return item.future();
  }

  /** The next batch: every queued item, up to maxOps ops (at least one item). Called holding the lock. */
  private List<BatchItem<?>> take() {
    List<BatchItem<?>> batch = new ArrayList<>();
    int ops = 0;
    while (!queue.isEmpty()) {
      int size = queue.peek().ops().size();
      if (!batch.isEmpty() && ops + size > maxOps) {
        break;
      }
      batch.add(queue.poll());
      ops += size;
    }
    return batch;
  }

  private void run(List<BatchItem<?>> batch) {
    execute(batch).onComplete(done -> next());
  }

  private void next() {
    List<BatchItem<?>> batch;
    synchronized (this) {
      if (queue.isEmpty()) {
        inFlight--;
        return;
      }
      batch = take();
    }
    run(batch);
  }

  /**
   * Records a batch and settles its items. A batch PostgreSQL refuses for a reason other than being unreachable
   * (a value jsonb does not take, say) is recorded again item by item, so that only the item at fault fails.
   */
  private Future<Void> execute(List<BatchItem<?>> batch) {
    long started = System.nanoTime();
    int ops = batch.stream().mapToInt(item -> item.ops().size()).sum();
    return pool.preparedQuery(SqlQueries.WRITE_BATCH).execute(arguments(batch)).transform(done -> {
      if (done.succeeded()) {
        // committed: from here on nothing may record the batch again, whatever settling an item does
        stats.committed(batch.size(), ops, System.nanoTime() - started);
        try {
          settle(batch, done.result());
        } catch (RuntimeException bug) {
          LOG.error("A committed batch could not be answered", bug);
          batch.forEach(item -> item.fail(bug));
        }
        return Future.succeededFuture();
      }
      Throwable failure = done.cause();
      if (batch.size() > 1 && !Failures.isUnavailable(failure)) {
        LOG.warn("A batch of {} writes was refused ({}); recording them one by one", batch.size(), failure.toString());
        stats.split();
        Future<Void> alone = Future.succeededFuture();
        for (BatchItem<?> item : batch) {
          alone = alone.compose(v -> execute(List.of(item)));
        }
        return alone;
      }
      stats.failed();
      batch.forEach(item -> item.fail(failure));
      return Future.succeededFuture();
    });
  }

  private static void settle(List<BatchItem<?>> batch, RowSet<Row> rows) {
    List<Outcome> outcomes = new ArrayList<>(rows.size());
    rows.forEach(row -> outcomes.add(Outcome.from(row)));
    int from = 0;
    for (BatchItem<?> item : batch) {
      int size = item.ops().size();
      try {
        item.settle(outcomes.subList(from, from + size));
      } catch (RuntimeException bug) {
        LOG.error("A committed write could not be answered", bug);
        item.fail(bug);
      }
      from += size;
    }
  }

  private static Tuple arguments(List<BatchItem<?>> batch) {
    List<BatchItem.Op> ops = new ArrayList<>();
    List<Integer> items = new ArrayList<>();
    List<Boolean> txns = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      BatchItem<?> item = batch.get(i);
      for (BatchItem.Op op : item.ops()) {
        ops.add(op);
        items.add(i);
        txns.add(item.transaction());
      }
    }
    int n = ops.size();
    String[] kind = new String[n];
    String[] env = new String[n];
    String[] key = new String[n];
    String[] value = new String[n];
    Boolean[] critical = new Boolean[n];
    String[] comment = new String[n];
    String[] actor = new String[n];
    String[] expect = new String[n];
    Integer[] expectVersion = new Integer[n];
    for (int i = 0; i < n; i++) {
      BatchItem.Op op = ops.get(i);
      kind[i] = op.kind().wire();
      env[i] = op.env();
      key[i] = op.key().value();
      value[i] = op.encodedValue();
      critical[i] = op.critical();
      comment[i] = op.comment();
      actor[i] = op.actor();
      expect[i] = op.expected().kind();
      expectVersion[i] = op.expected().expectedVersion();
    }
    return Tuple.tuple()
        .addArrayOfInteger(items.toArray(Integer[]::new))
        .addArrayOfBoolean(txns.toArray(Boolean[]::new))
        .addArrayOfString(kind).addArrayOfString(env).addArrayOfString(key).addArrayOfString(value)
        .addArrayOfBoolean(critical).addArrayOfString(comment).addArrayOfString(actor).addArrayOfString(expect)
        .addArrayOfInteger(expectVersion);
  }
}
