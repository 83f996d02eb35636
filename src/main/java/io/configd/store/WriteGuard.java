package io.configd.store;

import io.vertx.core.Future;

/**
 * What every write must pass before the pipeline records it: the JSON Schemas and the approval policies of its keys
 * (built by the node, in package guard). The pipeline asks it for every write, whichever route it came by.
 */
public interface WriteGuard {

  /** No guard: for tests of the store alone. */
  WriteGuard NONE = (proposal, approvedBy) -> Future.succeededFuture();

  /**
   * Succeeds when the proposal may be recorded now. Fails with a {@code ConfigdException} SCHEMA_VIOLATION when a
   * value does not satisfy its schema, or with {@link HeldForApproval} once an approval policy held it as a pending
   * change. Nothing is written in either case.
   *
   * @param approvedBy null for a new write; for a pending change being committed, who approved it (its policy is
   *                   then satisfied; its values are checked against the schemas again, which may have changed)
   */
  Future<Void> admit(Proposal proposal, String approvedBy);

  /**
   * The schemas alone, no approval policy: for a value that reaches instances before any write of it, a rollout's
   * (its promotion is a write, which {@link #admit} passes). Fails as {@link #admit} does for a schema.
   */
  default Future<Void> schemas(Proposal proposal) {
    return Future.succeededFuture();
  }
}
