package io.configd.store;

import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One item of a write batch: a single write or a transaction, with the caller waiting for it. Its outcome is
 * delivered on the caller's own context (the batch completes on whichever thread PostgreSQL answered on).
 */
abstract sealed class BatchItem<T> {

  /** One op as the batch function takes it: a sealed value travels as its ciphertext, with the mask as its value. */
  record Op(TxnOp.Kind kind, String env, ConfigKey key, String encodedValue, Boolean critical, String comment,
            String actor, Precondition expected, Boolean secret, Sealer.Sealed sealed) {

    private static final String MASK_JSON = Json.encode(ConfigValue.MASK);

    /** The value the batch function stores in the clear column. */
    String storedValue() {
      return sealed != null ? MASK_JSON : encodedValue;
    }
  }

  /** Thrown by {@link #result} when a put on a key PostgreSQL holds as secret came unsealed: seal it, record again. */
  static final class SealRequired extends ConfigdException {

    final ConfigKey key;

    SealRequired(ConfigKey key) {
      super(Failure.CONFLICT, "the key '" + key + "' is secret and this node cannot seal its value: secrets are not "
          + "configured on it (secrets.masterKey); nothing was written");
      this.key = key;
    }
  }

  private final Promise<T> promise = Promise.promise();
  private final Context context = Vertx.currentContext();
  /** When the item joined the queue, then when its batch committed (System.nanoTime), for its stage times. */
  private long queuedAt;
  private long committedAt;
  private WriteStages stages;

  Future<T> future() {
    return promise.future();
  }

  /** The item's ops, in order. */
  abstract List<Op> ops();

  /** True for a transaction: its changes name it. */
  abstract boolean transaction();

  /** The item's result (or its refusal) from the batch function's answer to each of its ops. */
  abstract T result(List<Outcome> outcomes);

  void queued() {
    queuedAt = System.nanoTime();
  }

  /** Its batch goes to PostgreSQL at {@code sentAt}: the item waited in the queue until then. */
  void sent(WriteStages stages, long sentAt) {
    stages.record(WriteStages.Stage.QUEUED, sentAt - queuedAt);
  }

  /** Its batch committed after {@code batchNanos}: the settling that follows is timed until the caller has it. */
  void committed(WriteStages stages, long batchNanos) {
    stages.record(WriteStages.Stage.BATCH, batchNanos);
    this.stages = stages;
    this.committedAt = System.nanoTime();
  }

  void settle(List<Outcome> outcomes) {
    T result;
    try {
      result = result(outcomes);
    } catch (RuntimeException refused) {
      fail(refused);
      return;
    }
    onContext(() -> promise.tryComplete(result));
  }

  void fail(Throwable failure) {
    onContext(() -> promise.tryFail(failure));
  }

  /** Runs the settling on the caller's context, timed from the commit when there was one (its own outcome or not). */
  private void onContext(Runnable action) {
    Runnable timed = stages == null ? action : () -> {
      stages.since(WriteStages.Stage.SETTLE, committedAt);
      action.run();
    };
    if (context == null) {
      timed.run();
    } else {
      context.runOnContext(v -> timed.run());
    }
  }

  static ConfigValue recorded(Op op, Outcome outcome) {
    Object value = op.storedValue() == null ? null : Json.decodeValue(op.storedValue());
    ConfigValue.Txn txn = outcome.txn() == null ? null : new ConfigValue.Txn(outcome.txn(), outcome.txnLast());
    ConfigValue.Secrecy secrecy = !outcome.secret() ? ConfigValue.Secrecy.NONE
        : op.sealed() != null ? ConfigValue.Secrecy.SEALED : ConfigValue.Secrecy.MASKED;
    return new ConfigValue(op.key().value(), op.env(), value, outcome.version(), outcome.revision(),
        op.kind() == TxnOp.Kind.DELETE, outcome.critical(), op.comment(), outcome.createdAt(), op.actor(), txn,
        null, secrecy, op.sealed() == null ? null : op.sealed().ciphertext());
  }

  static ConfigdException sticky(ConfigKey key, String env) {
    return new ConfigdException(Failure.CONFLICT, "the key '" + key + "' is secret in " + env
        + ": a key stays secret (secret: false is refused); leave 'secret' out to keep it");
  }

  /** PUT, DELETE or rollback: its own outcome, whatever the other items of its batch do. */
  static final class Single extends BatchItem<ConfigValue> {

    private final Write write;
    /** Built once: the pipeline asks for it several times on the way (queue, batch, arguments, outcome). */
    private final List<Op> ops;

    Single(Write write) {
      this.write = write;
      this.ops = List.of(new Op(write.deleted() ? TxnOp.Kind.DELETE : TxnOp.Kind.PUT, write.env(), write.key(),
          write.encodedValue(), write.critical(), write.comment(), write.actor(), write.expected(), write.secret(),
          write.sealed()));
    }

    @Override
    List<Op> ops() {
      return ops;
    }

    @Override
    boolean transaction() {
      return false;
    }

    @Override
    ConfigValue result(List<Outcome> outcomes) {
      Outcome outcome = outcomes.get(0);
      return switch (outcome.outcome()) {
        case SqlQueries.OUTCOME_OK -> recorded(ops().get(0), outcome);
        case SqlQueries.OUTCOME_PRECONDITION -> throw new ConfigdException(Failure.PRECONDITION_FAILED,
            write.expected().violation(outcome.currentVersion(), outcome.currentDeleted()),
            new JsonObject().put("current", outcome.currentVersion()));
        case SqlQueries.OUTCOME_ABSENT -> throw new ConfigdException(Failure.NOT_FOUND,
            "key '" + write.key() + "' does not exist in " + write.env());
        case SqlQueries.OUTCOME_SEAL -> throw new SealRequired(write.key());
        case SqlQueries.OUTCOME_STICKY -> throw sticky(write.key(), write.env());
        default -> throw new IllegalStateException("the batch function answered " + outcome.outcome());
      };
    }
  }

  /** POST /v1/txn: every op recorded, or none and the first failing op named. */
  static final class Txn extends BatchItem<TxnResult> {

    private final Transaction txn;
    private final List<Op> ops;

    Txn(Transaction txn) {
      this.txn = txn;
      this.ops = txn.ops().stream().map(op -> new Op(op.kind(), txn.env(), op.key(), op.encodedValue(), op.critical(),
          op.comment(), txn.actor(), op.expected(), op.secret(), op.sealed())).toList();
    }

    @Override
    List<Op> ops() {
      return ops;
    }

    @Override
    boolean transaction() {
      return true;
    }

    @Override
    TxnResult result(List<Outcome> outcomes) {
      List<TxnResult.OpResult> results = new ArrayList<>();
      long revision = 0;
      Long id = null;
      for (int i = 0; i < outcomes.size(); i++) {
        Outcome outcome = outcomes.get(i);
        TxnOp op = txn.ops().get(i);
        switch (outcome.outcome()) {
          case SqlQueries.OUTCOME_OK -> {
            ConfigValue recorded = op.kind() == TxnOp.Kind.CHECK ? null : recorded(ops.get(i), outcome);
            results.add(new TxnResult.OpResult(op, outcome.version(), recorded));
            revision = Math.max(revision, outcome.revision());
            id = outcome.txn();
          }
          case SqlQueries.OUTCOME_PRECONDITION -> throw refused(Failure.PRECONDITION_FAILED, i, op, outcome,
              violation(op.expected(), outcome));
          case SqlQueries.OUTCOME_ABSENT -> throw refused(Failure.CONFLICT, i, op, outcome,
              "the key does not exist, so it cannot be deleted");
          case SqlQueries.OUTCOME_SEAL -> throw new SealRequired(op.key());
          case SqlQueries.OUTCOME_STICKY -> throw refused(Failure.CONFLICT, i, op, outcome,
              "the key is secret and stays secret (secret: false is refused)");
          case SqlQueries.OUTCOME_ABORTED -> { }
          default -> throw new IllegalStateException("the batch function answered " + outcome.outcome());
        }
      }
      return new TxnResult(id, revision, results);
    }

    private ConfigdException refused(Failure failure, int index, TxnOp op, Outcome outcome, String why) {
      JsonObject members = new JsonObject().put("op", index).put("key", op.key().value())
          .put("current", outcome.currentVersion()).put("currentDeleted", outcome.currentDeleted());
      if (failure == Failure.PRECONDITION_FAILED) {
        members.put("expected", expectedJson(op.expected()));
      }
      return new ConfigdException(failure, "op " + index + " (" + op.kind().wire() + " '" + op.key() + "'): " + why
          + "; nothing was written", members);
    }

    private static String violation(Precondition expected, Outcome outcome) {
      String current = outcome.currentVersion() == 0 ? "the key has no version yet"
          : outcome.currentDeleted() ? "the key is deleted (its current version is " + outcome.currentVersion() + ")"
          : "the current version is " + outcome.currentVersion();
      if (expected instanceof Precondition.Version version) {
        return "expected version " + version.version() + " but " + current;
      }
      return expected instanceof Precondition.Absent ? "expected the key to be absent but " + current
          : "expected the key to exist but " + current;
    }

    private static Object expectedJson(Precondition expected) {
      return expected instanceof Precondition.Version version ? (Object) version.version() : expected.kind();
    }
  }
}
