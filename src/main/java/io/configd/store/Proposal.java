package io.configd.store;

import java.util.List;

/**
 * A write as the guards see it before the pipeline records it: a PUT, DELETE or rollback ({@code single}, one op) or
 * a transaction (POST /v1/txn, an import), with its author.
 */
public record Proposal(String env, String actor, List<TxnOp> ops, boolean single) {

  public Proposal {
    ops = List.copyOf(ops);
  }

  static Proposal of(Write write) {
    TxnOp op = new TxnOp(write.deleted() ? TxnOp.Kind.DELETE : TxnOp.Kind.PUT, write.key(), write.encodedValue(),
        write.critical(), write.comment(), write.expected(), write.secret(), write.sealed());
    return new Proposal(write.env(), write.actor(), List.of(op), true);
  }

  static Proposal of(Transaction txn) {
    return new Proposal(txn.env(), txn.actor(), txn.ops(), false);
  }
}
