package io.configd.restore;

/**
 * The newest change the change topic carries: its revision and the epoch it was published in (0 for a record
 * published before configd had epochs).
 */
record Published(long revision, long epoch) {

  /**
   * True when the database at {@code revision} of {@code epoch} is behind what was published: Kafka carries a
   * revision the database does not have, or a newer epoch (a history the database never saw).
   */
  boolean isAhead(long revision, long epoch) {
    return this.revision > revision || this.epoch > epoch;
  }
}
