package io.configd.propagation;

import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Releases the changes read from Kafka to this node's subscribers strictly in global revision order. Revisions are
 * gap-free and every node reads every partition, so a revision is held until every earlier one has been released:
 * Kafka's partitions deliver each key in order, not the keys among themselves. A gap still open after {@code waitMs}
 * is filled from PostgreSQL's change log (every earlier revision has committed, since a later one has), asked again
 * every {@code waitMs} while it cannot answer; only a gap older than {@code maxHoldMs} that the log cannot fill is
 * given up and counted ({@code skipped}), and a skipped revision that arrives later is released late, out of order,
 * and counted too ({@code late}). A gap is given up only for an answer to it: one that opens while the log answers for
 * an earlier gap waits and is asked for in turn.
 *
 * <p>A revision given up because the log could not answer (not one it answered it does not hold: compacted) is
 * outstanding until Kafka brings it, or the change log, asked again every {@code maxHoldMs}, answers it (released late
 * from there) or answers that it does not hold it: meanwhile {@link #resumeAfter} is the revision before the oldest
 * outstanding one, where a subscriber that is cut now must resume to get it, since its watermark may have moved past
 * it with later changes. It never goes back: a later give-up is of revisions above every one released before it.
 */
final class RevisionOrder {

  /** A change waiting for its turn: its message, the relay's trace stamps, when it was read. */
  record Held(long revision, JsonObject change, String relayed, long consumedMicros) {
  }

  /** Reads the change log between two revisions (both excluded), at most {@code limit} changes. */
  interface ChangeLog {
    Future<List<ConfigValue>> between(long after, long before, int limit);
  }

  static final int FETCH_LIMIT = 1000;
  private static final int REMEMBERED_SKIPS = 10_000;

  private final Vertx vertx;
  private final long waitMs;
  private final long maxHoldMs;
  private final ChangeLog log;
  private final Consumer<Held> release;
  private final TreeMap<Long, Held> pending = new TreeMap<>();
  private final LinkedHashSet<Long> skippedRevisions = new LinkedHashSet<>();
  /** The skipped revisions the change log could not answer for, which Kafka has not brought yet. */
  private final TreeSet<Long> outstanding = new TreeSet<>();
  /** Every revision up to this one has been released (or is older than this node: snapshots hold it). */
  private long released = -1;
  private long gapTimer = -1;
  private long outstandingTimer = -1;
  /** The database's epoch of the newest change taken from Kafka, for a change read from the log late. */
  private Object epoch;
  /** When the oldest gap still open began (System.nanoTime), for the bound on holding. */
  private long gapSince;
  private boolean fetching;
  private boolean stopped;

  private long held;
  private long fetches;
  private long fromLog;
  private long skipped;
  private long late;

  RevisionOrder(Vertx vertx, long waitMs, long maxHoldMs, ChangeLog log, Consumer<Held> release) {
    this.vertx = vertx;
    this.waitMs = waitMs;
    this.maxHoldMs = maxHoldMs;
    this.log = log;
    this.release = release;
  }

  /** Starts after {@code head}: what came before it reaches subscribers by snapshot and catch-up. */
  void start(long head) {
    released = Math.max(released, head);
  }

  boolean started() {
    return released >= 0;
  }

  /** Takes a change read from Kafka; false when it is a duplicate (released already, or held already). */
  boolean offer(Held change) {
    Object its = change.change().getValue("epoch");
    if (its != null) {
      epoch = its;
    }
    if (change.revision() <= released) {
      if (skippedRevisions.remove(change.revision())) {
        outstanding.remove(change.revision());
        late++;
        release.accept(change);
        return true;
      }
      return false;
    }
    if (pending.putIfAbsent(change.revision(), change) != null) {
      return false;
    }
    if (change.revision() != released + 1) {
      held++;
    }
    drain();
    return true;
  }

  /**
   * Where a subscriber resumes without missing an outstanding revision (one given up while the change log could not
   * answer, not come yet): the revision before the oldest of them; -1 when none is outstanding (its newest revision
   * seen is then a safe resume point).
   */
  long resumeAfter() {
    return outstanding.isEmpty() ? -1 : outstanding.first() - 1;
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(gapTimer);
    vertx.cancelTimer(outstandingTimer);
  }

  JsonObject stats() {
    return new JsonObject().put("released", released).put("waiting", pending.size())
        .put("waitMs", waitMs).put("maxHoldMs", maxHoldMs).put("held", held).put("gapFetches", fetches).put("fromChangeLog", fromLog)
        .put("skipped", skipped).put("late", late).put("outstanding", outstanding.size())
        .put("resumeAfter", outstanding.isEmpty() ? null : resumeAfter());
  }

  private void drain() {
    long before = released;
    while (!pending.isEmpty() && pending.firstKey() == released + 1) {
      Held next = pending.pollFirstEntry().getValue();
      released = next.revision();
      release.accept(next);
    }
    if (pending.isEmpty() || released != before) {
      vertx.cancelTimer(gapTimer);
      gapTimer = -1;
    }
    if (!pending.isEmpty() && gapTimer == -1 && !fetching && !stopped) {
      gapSince = System.nanoTime();
      armGapTimer();
    }
  }

  private void armGapTimer() {
    gapTimer = vertx.setTimer(waitMs, id -> {
      gapTimer = -1;
      fillGap();
    });
  }

  /** The wait is over: asks the change log for the missing revisions; gives them up only if it cannot answer. */
  private void fillGap() {
    if (pending.isEmpty() || stopped) {
      return;
    }
    fetching = true;
    long after = released;
    long before = pending.firstKey();
    fetches++;
    log.between(after, before, FETCH_LIMIT).onComplete(read -> {
      fetching = false;
      if (stopped) {
        return;
      }
      long now = PropagationVerticle.nowMicros();
      boolean more = false;
      boolean answered = read.succeeded();
      if (read.succeeded()) {
        // The database's epoch, which every change message carries: that of the later change read from Kafka.
        Object epoch = pending.isEmpty() ? null : pending.firstEntry().getValue().change().getValue("epoch");
        for (ConfigValue change : read.result()) {
          if (change.revision() > released && !pending.containsKey(change.revision())) {
            JsonObject message = change.toChangeJson();
            if (epoch != null) {
              message.put("epoch", epoch);
            }
            pending.put(change.revision(), new Held(change.revision(), message, "0,0,", now));
            fromLog++;
          }
        }
        more = read.result().size() == FETCH_LIMIT;
      } else if ((System.nanoTime() - gapSince) / 1_000_000 < maxHoldMs) {
        armGapTimer(); // the log cannot answer yet: hold, and ask again
        return;
      }
      // Only what was asked for: Kafka may have closed that gap meanwhile and opened a later one, not waited for yet.
      if (!more && !pending.isEmpty() && pending.firstKey() != released + 1 && released + 1 < before) {
        giveUpBefore(pending.firstKey(), answered);
      }
      drain();
      if (more && !pending.isEmpty() && pending.firstKey() != released + 1) {
        fillGap();
      }
    });
  }

  /** @param answered whether the change log answered that it does not hold them (compacted): none is outstanding */
  private void giveUpBefore(long first, boolean answered) {
    skipped += first - released - 1;
    for (long revision = Math.max(released + 1, first - REMEMBERED_SKIPS); revision < first; revision++) {
      skippedRevisions.add(revision);
      if (!answered) {
        outstanding.add(revision);
      }
    }
    while (skippedRevisions.size() > REMEMBERED_SKIPS) {
      Long forgotten = skippedRevisions.iterator().next();
      skippedRevisions.remove(forgotten);
      outstanding.remove(forgotten);
    }
    if (!outstanding.isEmpty() && outstandingTimer == -1 && !stopped) {
      outstandingTimer = vertx.setTimer(maxHoldMs, id -> askForOutstanding());
    }
    released = first - 1;
  }

  /**
   * Asks the change log for the oldest outstanding revisions (at most {@code FETCH_LIMIT} revisions from the oldest, so
   * that the answer holds every one of them it has): those it answers are released late, those it does not hold were
   * compacted and are outstanding no more (Kafka's copy is still released late); while revisions remain outstanding,
   * asks again, at once after an answer, after {@code maxHoldMs} while the log cannot answer.
   */
  private void askForOutstanding() {
    outstandingTimer = -1;
    if (outstanding.isEmpty() || stopped) {
      return;
    }
    long first = outstanding.first();
    long last = Math.min(outstanding.last(), first + FETCH_LIMIT - 1);
    fetches++;
    log.between(first - 1, last + 1, FETCH_LIMIT).onComplete(read -> {
      if (stopped) {
        return;
      }
      if (read.succeeded()) {
        long now = PropagationVerticle.nowMicros();
        for (ConfigValue change : read.result()) {
          if (outstanding.remove(change.revision())) {
            skippedRevisions.remove(change.revision());
            JsonObject message = change.toChangeJson();
            if (epoch != null) {
              message.put("epoch", epoch);
            }
            fromLog++;
            late++;
            release.accept(new Held(change.revision(), message, "0,0,", now));
          }
        }
        outstanding.headSet(last, true).clear(); // what the log does not hold within the range: compacted
        if (!outstanding.isEmpty()) {
          askForOutstanding();
        }
        return;
      }
      outstandingTimer = vertx.setTimer(maxHoldMs, id -> askForOutstanding());
    });
  }
}
