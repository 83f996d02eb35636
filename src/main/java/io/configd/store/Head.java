package io.configd.store;

/**
 * Where the change log stands: the newest revision, the epoch (the database's history, new after a restore) and the
 * compaction watermark (changes at or below it may have been pruned; every later one is kept).
 */
public record Head(long revision, long epoch, long compactedRevision) {

  /** The oldest revision whose changes are all kept: a reader may resume from {@code oldestRevision() - 1} on. */
  public long oldestRevision() {
    return compactedRevision + 1;
  }
}
