package io.configd.guard;

import io.configd.model.Access;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Principal;
import io.configd.store.GuardStore;
import io.configd.store.PendingChange;
import io.configd.store.Transaction;
import io.configd.store.TxnResult;
import io.configd.store.Write;
import io.configd.store.WritePipeline;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approving and rejecting pending changes. Approval is by another principal than the author, with approve access on
 * every key of the change; it commits the change through the write pipeline as its author's (a single write, or a
 * transaction), each op conditioned on its key still being at the version it was proposed against: a key that moved
 * on meanwhile makes the approval a 409 and the change stays pending (to be rejected, or proposed again). The change
 * is marked approved before it commits, so that the audit log names the approver beside the author.
 */
public final class Approvals {

  private static final Logger LOG = LoggerFactory.getLogger(Approvals.class);

  /** What an approval committed: the change, and its recorded version (a single write) or transaction result. */
  public record Approved(PendingChange change, ConfigValue value, TxnResult txn) {
  }

  private final GuardStore store;
  private final WritePipeline writes;

  public Approvals(Guards guards, WritePipeline writes) {
    this.store = guards.store();
    this.writes = writes;
  }

  public Future<Approved> approve(UUID id, Principal approver) {
    return decidable(id).compose(change -> {
      if (change.author().equals(approver.name())) {
        throw new ConfigdException(Failure.FORBIDDEN, "'" + approver.name() + "' wrote this change and cannot approve "
            + "it: another principal with approve access on its keys must (four eyes)");
      }
      change.ops().forEach(op -> approver.require(Access.APPROVE, change.env(), op.key()));
      if (change.approvals().contains(approver.name())) {
        throw new ConfigdException(Failure.CONFLICT, "'" + approver.name() + "' approved this change already: it "
            + "needs " + (change.approvalsNeeded() - change.approvals().size()) + " more approval(s) by other principals");
      }
      return store.approve(id, approver.name()).compose(approval -> switch (approval) {
        case REFUSED -> throw new ConfigdException(Failure.CONFLICT, "pending change " + id + " was decided, expired "
            + "or approved by '" + approver.name() + "' meanwhile");
        case PENDING -> found(id).map(waiting -> new Approved(waiting, null, null)); // more approvers needed
        // the last approval needed: the change commits as approved by every approver (the audit log names them)
        case APPROVED -> found(id).compose(claimed -> commit(claimed, claimed.decidedBy())
            .recover(refused -> store.release(id, approver.name())
                .transform(released -> Future.failedFuture(moved(change, refused)))));
      });
    });
  }

  /** Rejects a pending change: by an approver of its keys, or by its author (who withdraws it). */
  public Future<PendingChange> reject(UUID id, Principal by, String reason) {
    return decidable(id).compose(change -> {
      if (!change.author().equals(by.name())) {
        change.ops().forEach(op -> by.require(Access.APPROVE, change.env(), op.key()));
      }
      return store.reject(id, by.name(), reason);
    }).compose(rejected -> {
      if (!rejected) {
        throw new ConfigdException(Failure.CONFLICT, "pending change " + id + " was decided meanwhile");
      }
      return found(id);
    });
  }

  private Future<Approved> commit(PendingChange change, String approver) {
    if (change.single()) {
      PendingChange.Op op = change.ops().get(0);
      var txnOp = op.toTxnOp();
      Write write = new Write(change.env(), op.key(), txnOp.encodedValue(), op.kind() == io.configd.store.TxnOp.Kind.DELETE,
          op.critical(), op.comment(), change.author(), txnOp.expected(), txnOp.secret(), txnOp.sealed());
      return writes.writeApproved(write, approver)
          .compose(value -> store.committed(change.id(), value.revision())
              .compose(v -> found(change.id()))
              .map(done -> new Approved(done, value, null)));
    }
    Transaction txn = new Transaction(change.env(), change.author(),
        change.ops().stream().map(PendingChange.Op::toTxnOp).toList());
    return writes.transactionApproved(txn, approver)
        .compose(result -> store.committed(change.id(), result.txn() == null ? result.revision() : result.txn())
            .compose(v -> found(change.id()))
            .map(done -> new Approved(done, null, result)));
  }

  /** A refusal of the commit as the approver should read it: a key that moved on is a conflict. */
  private static Throwable moved(PendingChange change, Throwable refused) {
    if (refused instanceof ConfigdException e && (e.failure() == Failure.PRECONDITION_FAILED
        || e.failure() == Failure.NOT_FOUND || (e.failure() == Failure.CONFLICT && !change.single()))) {
      LOG.info("Approval of {} refused: a key moved on ({})", change.id(), e.getMessage());
      return new ConfigdException(Failure.CONFLICT, "a key of pending change " + change.id() + " moved on since it was "
          + "proposed (" + e.getMessage() + "); nothing was written and the change is still pending: reject it and "
          + "propose it again against the current value", e.members());
    }
    return refused;
  }

  private Future<PendingChange> decidable(UUID id) {
    return found(id).map(change -> {
      if (!change.status().equals(PendingChange.PENDING)) {
        throw new ConfigdException(Failure.CONFLICT, "pending change " + id + " is " + change.status()
            + (change.decidedBy() == null ? "" : " (by '" + change.decidedBy() + "')") + ": only a pending change can be "
            + "approved or rejected");
      }
      return change;
    });
  }

  private Future<PendingChange> found(UUID id) {
    return store.pending(id).map((Optional<PendingChange> found) -> found.orElseThrow(() ->
        new ConfigdException(Failure.NOT_FOUND, "there is no pending change " + id)));
  }
}
