package io.configd.model;

import io.vertx.core.json.JsonObject;

/**
 * A reader asked for the changes after a revision whose successors retention has pruned: every change from
 * {@code oldestRevision} on is kept, so a {@code since} of {@code oldestRevision - 1} or more is answered. The
 * problem carries it as its member {@code oldestRevision}.
 */
public final class RevisionCompactedException extends ConfigdException {

  private final long oldestRevision;

  public RevisionCompactedException(long since, long oldestRevision) {
    super(Failure.REVISION_COMPACTED, "the changes after revision " + since + " were pruned; every change from revision "
        + oldestRevision + " on is kept: take a snapshot and follow the changes after its revision",
        new JsonObject().put("oldestRevision", oldestRevision));
    this.oldestRevision = oldestRevision;
  }

  public long oldestRevision() {
    return oldestRevision;
  }
}
