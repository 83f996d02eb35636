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
 * write goes at once; a second batch goes while one is in flight only once it would be as large (see
 * {@link #takeIfDue}). Each write keeps its own outcome; a future completes only once its write has committed.
 * Built once by the node and shared by its API instances (thread-safe).
 */
public final class WritePipeline {

  private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);

  private final Pool pool;
  private final ConfigStore store;
  private final int maxOps;
  private final int maxInFlight;
  private final WriteGuard guard;
  private final Sealer sealer;
  private final WriteStats stats = new WriteStats();
  private final WriteStages stages = new WriteStages();
  private final Deque<BatchItem<?>> queue = new ArrayDeque<>();
  /** The ops in the queue, for the rule that sends a further batch (see {@link #takeIfDue}). */
  private int queuedOps;
  /** The batches sent and not yet settled, oldest first. */
  private final Deque<Sent> inFlight = new ArrayDeque<>();

  /** A batch in flight: its items (which no other batch holds, so two are never equal) and their ops. */
  private record Sent(List<BatchItem<?>> items, int ops) {
  }

  /**
   * @param maxOps      the most ops one batch carries (a larger transaction goes alone)
   * @param maxInFlight the most batches sent to PostgreSQL at once (at least 1)
   * @param guard       what every write passes first: the schemas and approval policies
   * @param sealer      seals a secret key's value after the guard admitted it and before it joins a batch
   */
  public WritePipeline(Pool pool, int maxOps, int maxInFlight, WriteGuard guard, Sealer sealer) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
    }
    this.pool = pool;
    this.store = new ConfigStore(pool);
    this.maxOps = maxOps;
    this.maxInFlight = maxInFlight;
    this.guard = guard;
    this.sealer = sealer;
  }

  /** Without secrets. */
  public WritePipeline(Pool pool, int maxOps, int maxInFlight, WriteGuard guard) {
    this(pool, maxOps, maxInFlight, guard, Sealer.NONE);
  }

  /** Without guards: for tests of the store alone. */
  public WritePipeline(Pool pool, int maxOps, int maxInFlight) {
    this(pool, maxOps, maxInFlight, WriteGuard.NONE, Sealer.NONE);
  }

  /**
   * Records a new version of a key; fails with PRECONDITION_FAILED when {@code write.expected()} does not hold, with
   * SCHEMA_VIOLATION or {@link HeldForApproval} when the guard refuses or holds it.
   */
  public Future<ConfigValue> write(Write write) {
    return admitted(write, null);
  }

  /** Whether the write's value satisfies its key's schema, without writing it or asking any approval (a rollout's value). */
  public Future<Void> checkSchemas(Write write) {
    return guard.schemas(knownSecrets(Proposal.of(write)));
  }

  /** Whether every value of the transaction satisfies its key's schema, writing nothing (an import's dry run). */
  public Future<Void> checkSchemas(Transaction txn) {
    return guard.schemas(knownSecrets(Proposal.of(txn)));
  }

  /** The proposal with its ops on keys known secret flagged so, for a check that seals nothing: the guard quotes no secret. */
  private Proposal knownSecrets(Proposal proposal) {
    return new Proposal(proposal.env(), proposal.actor(), proposal.ops().stream()
        .map(op -> op.secret() == null && sealer.knownSecret(proposal.env(), op.key().value())
            ? new TxnOp(op.kind(), op.key(), op.encodedValue(), op.critical(), op.comment(), op.expected(), Boolean.TRUE,
                op.sealed())
            : op)
        .toList(), proposal.single());
  }

  /** Records every op of the transaction in one commit with contiguous revisions, or none of them. */
  public Future<TxnResult> transaction(Transaction txn) {
    return admitted(txn, null);
  }

  /** An approved pending change of one op: its schema checked again, its approval policy satisfied by {@code approver}. */
  public Future<ConfigValue> writeApproved(Write write, String approver) {
    return admitted(write, approver);
  }

  /** An approved pending transaction, as {@link #writeApproved}. */
  public Future<TxnResult> transactionApproved(Transaction txn, String approver) {
    return admitted(txn, approver);
  }

  /**
   * A secret's value is sealed first, so that what the guard keeps of a write it holds for approval is the
   * ciphertext; the guard checks the schemas against the clear value, in memory only.
   */
  private Future<ConfigValue> admitted(Write write, String approver) {
    Write sealed;
    try {
      sealed = sealed(write);
    } catch (RuntimeException refused) {
      return Future.failedFuture(refused);
    }
    long started = System.nanoTime();
    return guard.admit(Proposal.of(opened(sealed)), approver)
        .compose(admitted -> {
          stages.since(WriteStages.Stage.GUARD, started);
          return sealedWrite(sealed, false);
        });
  }

  private Future<TxnResult> admitted(Transaction txn, String approver) {
    Transaction sealed;
    try {
      sealed = new Transaction(txn.env(), txn.actor(), txn.ops().stream().map(op -> sealed(txn.env(), op)).toList());
    } catch (RuntimeException refused) {
      return Future.failedFuture(refused);
    }
    Transaction opened = new Transaction(sealed.env(), sealed.actor(),
        sealed.ops().stream().map(op -> opened(sealed.env(), op)).toList());
    long started = System.nanoTime();
    return guard.admit(Proposal.of(opened), approver)
        .compose(admitted -> {
          stages.since(WriteStages.Stage.GUARD, started);
          return sealedTransaction(sealed, sealed.ops().size());
        });
  }

  /** A sealed write that came without its clear value (an approved pending change) with it, for the checks. */
  private Write opened(Write write) {
    if (write.sealed() == null || write.encodedValue() != null) {
      return write;
    }
    return new Write(write.env(), write.key(), sealer.open(write.env(), write.key().value(), write.sealed().ciphertext()),
        write.deleted(), write.critical(), write.comment(), write.actor(), write.expected(), write.secret(),
        write.sealed());
  }

  private TxnOp opened(String env, TxnOp op) {
    if (op.sealed() == null || op.encodedValue() != null) {
      return op;
    }
    return new TxnOp(op.kind(), op.key(), sealer.open(env, op.key().value(), op.sealed().ciphertext()), op.critical(),
        op.comment(), op.expected(), op.secret(), op.sealed());
  }

  /**
   * The write with its value sealed when the key is or becomes secret, before it joins a batch: PostgreSQL receives
   * the ciphertext only. A key not yet known secret here but secret in PostgreSQL is refused there, then sealed and
   * recorded again ({@code resealed}).
   */
  private Future<ConfigValue> sealedWrite(Write write, boolean resealed) {
    Write sealed;
    try {
      sealed = resealed ? write.sealedAs(sealer.seal(write.env(), write.key().value(), write.encodedValue())) : write;
    } catch (RuntimeException refused) {
      return Future.failedFuture(refused);
    }
    return enqueue(new BatchItem.Single(sealed))
        .recover(failure -> {
          if (failure instanceof BatchItem.SealRequired required && !resealed) {
            // another node made the key secret since this one last heard: PostgreSQL refused the clear value
            sealer.learnSecret(write.env(), required.key.value());
            return sealedWrite(write, true);
          }
          return Future.failedFuture(failure);
        })
        .onSuccess(this::learn);
  }

  /** @param retries how many more times a refused clear value may be sealed and the transaction recorded again */
  private Future<TxnResult> sealedTransaction(Transaction txn, int retries) {
    Transaction sealed;
    try {
      sealed = new Transaction(txn.env(), txn.actor(), txn.ops().stream().map(op -> sealed(txn.env(), op)).toList());
    } catch (RuntimeException refused) {
      return Future.failedFuture(refused);
    }
    return enqueue(new BatchItem.Txn(sealed))
        .recover(failure -> {
          if (failure instanceof BatchItem.SealRequired required && retries > 0
              && !sealer.knownSecret(txn.env(), required.key.value())) {
            sealer.learnSecret(txn.env(), required.key.value());
            return sealedTransaction(txn, retries - 1);
          }
          return Future.failedFuture(failure);
        })
        .onSuccess(result -> result.results().forEach(op -> {
          if (op.recorded() != null) {
            learn(op.recorded());
          }
        }));
  }

  private void learn(ConfigValue recorded) {
    if (recorded.secret()) {
      sealer.learnSecret(recorded.env(), recorded.key());
    }
  }

  private Write sealed(Write write) {
    boolean known = sealer.knownSecret(write.env(), write.key().value());
    if (known && Boolean.FALSE.equals(write.secret())) {
      throw BatchItem.sticky(write.key(), write.env());
    }
    if (write.deleted() || write.sealed() != null || !(known || Boolean.TRUE.equals(write.secret()))) {
      return write;
    }
    return write.sealedAs(sealer.seal(write.env(), write.key().value(), write.encodedValue()));
  }

  private TxnOp sealed(String env, TxnOp op) {
    boolean known = sealer.knownSecret(env, op.key().value());
    if (op.kind() != TxnOp.Kind.PUT) {
      return op;
    }
    if (known && Boolean.FALSE.equals(op.secret())) {
      throw BatchItem.sticky(op.key(), env);
    }
    if (op.sealed() != null || !(known || Boolean.TRUE.equals(op.secret()))) {
      return op;
    }
    return op.sealedAs(sealer.seal(env, op.key().value(), op.encodedValue()));
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
          if (target.secrecy() == ConfigValue.Secrecy.SEALED) {
            // the guards check the clear value in memory; the version's own ciphertext (bound to this key) goes again
            return write(new Write(env, key, null, false, target.critical(), why, actor, expected, Boolean.TRUE,
                Sealer.Sealed.of(target.sealed())));
          }
          return write(new Write(env, key, Json.encode(target.value()), false, target.critical(), why, actor, expected));
        });
  }

  /** Batches, writes per batch and their sizes, and where a write's time goes, for GET /v1/stats/writes. */
  public synchronized JsonObject stats() {
    return stats.toJson(queue.size(), inFlight.size()).put("maxOpsPerBatch", maxOps).put("maxBatchesInFlight", maxInFlight)
        .put("stages", stages.toJson());
  }

  /** Where this node's writes spend their time: the pipeline records its own stages, the API those around them. */
  public WriteStages stages() {
    return stages;
  }

  private <T> Future<T> enqueue(BatchItem<T> item) {
    Sent batch;
    item.queued();
    synchronized (this) {
      queue.add(item);
      queuedOps += item.ops().size();
      batch = takeIfDue();
    }
    if (batch != null) {
      run(batch);
    }
    return item.future();
  }

  /**
   * The next batch if one is due, else null. Called holding the lock. With no batch in flight whatever waits goes at
   * once, so a lone write never waits. With batches in flight a further one goes (up to maxInFlight) only once the
   * queue holds as many ops as the youngest of them: sent smaller it would only wait in PostgreSQL on the revision
   * row behind that one, and each batch costs a commit, a NOTIFY and a relay round of its own (two batches in flight
   * taken as soon as a slot was free split concurrency 16 into 4.1 writes a batch, against 6.7 with one in flight).
   */
  private Sent takeIfDue() {
    if (queue.isEmpty() || inFlight.size() == maxInFlight
        || (!inFlight.isEmpty() && queuedOps < inFlight.peekLast().ops())) {
      return null;
    }
    List<BatchItem<?>> items = new ArrayList<>();
    int ops = 0;
    while (!queue.isEmpty()) {
      int size = queue.peek().ops().size();
      if (!items.isEmpty() && ops + size > maxOps) {
        break;
      }
      items.add(queue.poll());
      ops += size;
    }
    queuedOps -= ops;
    Sent batch = new Sent(items, ops);
    inFlight.addLast(batch);
    return batch;
  }

  private void run(Sent batch) {
    execute(batch.items()).onComplete(done -> next(batch));
  }

  /** {@code done} is settled: the next batch goes if one is due. */
  private void next(Sent done) {
    Sent batch;
    synchronized (this) {
      inFlight.removeFirstOccurrence(done);
      batch = takeIfDue();
    }
    if (batch != null) {
      run(batch);
    }
  }

  /**
   * Records a batch and settles its items. A batch PostgreSQL refuses for a reason other than being unreachable
   * (a value jsonb does not take, say) is recorded again item by item, so that only the item at fault fails.
   */
  private Future<Void> execute(List<BatchItem<?>> batch) {
    long started = System.nanoTime();
    batch.forEach(item -> item.sent(stages, started));
    int ops = batch.stream().mapToInt(item -> item.ops().size()).sum();
    return pool.preparedQuery(SqlQueries.WRITE_BATCH).execute(arguments(batch)).transform(done -> {
      if (done.succeeded()) {
        // committed: from here on nothing may record the batch again, whatever settling an item does
        long committed = System.nanoTime();
        stats.committed(batch.size(), ops, committed - started);
        batch.forEach(item -> item.committed(stages, committed - started));
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
    Boolean[] secret = new Boolean[n];
    String[] sealed = new String[n];
    Integer[] dataKey = new Integer[n];
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
      value[i] = op.storedValue();
      secret[i] = op.secret();
      sealed[i] = op.sealed() == null ? null : op.sealed().ciphertext();
      dataKey[i] = op.sealed() == null ? null : op.sealed().dataKey();
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
        .addArrayOfInteger(expectVersion).addArrayOfBoolean(secret).addArrayOfString(sealed)
        .addArrayOfInteger(dataKey);
  }
}
