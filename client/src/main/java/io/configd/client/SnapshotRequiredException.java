package io.configd.client;

/**
 * A node answered that the changes the client asked for cannot be given (410: pruned by retention, or a revision of
 * another history, a restored database): the client takes a fresh snapshot instead.
 *
 * @see Synchronizer
 */
final class SnapshotRequiredException extends ConfigClientException {

  private final long oldestRevision;

  /** @param oldestRevision the oldest revision the node keeps every change from, or 0 when it did not say */
  SnapshotRequiredException(String message, long oldestRevision) {
    super(message);
    this.oldestRevision = oldestRevision;
  }

  long oldestRevision() {
    return oldestRevision;
  }
}
