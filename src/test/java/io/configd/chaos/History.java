package io.configd.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** What the workload did and what it was told: the checker compares it with PostgreSQL, Kafka and the audit log. */
final class History {

  final ConcurrentLinkedQueue<Round> rounds = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Txn> txns = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
  final AtomicLong readFailures = new AtomicLong();
  final Map<String, List<Seen>> subscribers = new ConcurrentHashMap<>();

  /** One answer to one HTTP attempt; status -1 for none. */
  record Attempt(int node, int status, int version, long revision, String error) {
  }

  enum Outcome {
    /** A 200 to one of its attempts. */
    ACKNOWLEDGED,
    /** Every attempt refused with 412: the write must not be in the history. */
    REFUSED,
    /** No 200, and some attempt went unanswered (or failed): applied at most once. */
    UNKNOWN
  }

  /** One CAS writer's write in a round: the value's id, its attempts (the same request, retried on other nodes). */
  record Write(String id, String key, int expect, List<Attempt> attempts) {
    Outcome outcome() {
      if (attempts.stream().anyMatch(a -> a.status() / 100 == 2)) {
        return Outcome.ACKNOWLEDGED;
      }
      return attempts.stream().allMatch(a -> a.status() == 412) ? Outcome.REFUSED : Outcome.UNKNOWN;
    }

    Attempt acknowledgement() {
      return attempts.stream().filter(a -> a.status() / 100 == 2).findFirst().orElseThrow();
    }
  }

  /** The CAS writers of one round, all expecting the same version of the same key. */
  record Round(int lane, long number, String key, int expect, List<Write> writes) {
  }

  /**
   * A transaction of puts on several keys, each with its expected version: all applied or none. Op i's value has
   * the id {@code id.i}; revisions are those of the 200's results.
   */
  record Txn(String id, List<String> keys, List<Integer> expects, List<Attempt> attempts, List<Long> revisions) {
    Outcome outcome() {
      if (attempts.stream().anyMatch(a -> a.status() / 100 == 2)) {
        return Outcome.ACKNOWLEDGED;
      }
      return attempts.stream().allMatch(a -> a.status() >= 400 && a.status() < 500) ? Outcome.REFUSED : Outcome.UNKNOWN;
    }
  }

  /** A GET's answer: the key's version and the id of its value. */
  record Read(String key, int version, String id) {
  }

  /** A change as a subscriber's listener received it. */
  record Seen(String key, int version, long revision, String id) {
  }

  List<Write> writes() {
    List<Write> all = new ArrayList<>();
    rounds.forEach(round -> all.addAll(round.writes()));
    return all;
  }
}
