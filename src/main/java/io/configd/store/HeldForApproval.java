package io.configd.store;

import io.vertx.core.json.JsonObject;

/**
 * The outcome of a write an approval policy held: it was recorded as a pending change (not as a version), which the
 * API answers with 202 and the change. It travels as a failure of the write's future because every write route
 * (PUT, DELETE, rollback, txn, import) answers it the same way, in one place (ApiVerticle's failure handler).
 */
public final class HeldForApproval extends RuntimeException {

  private final transient JsonObject pending;

  public HeldForApproval(JsonObject pending) {
    super("held for approval as pending change " + pending.getString("id"), null, false, false);
    this.pending = pending;
  }

  /** The pending change as GET /v1/pending/{id} answers it. */
  public JsonObject pending() {
    return pending;
  }
}
