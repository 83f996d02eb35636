package io.configd.chaos;

import io.configd.chaos.Evidence.Audited;
import io.configd.chaos.Evidence.Copy;
import io.configd.chaos.Evidence.Relayed;
import io.configd.chaos.Evidence.Version;
import io.configd.chaos.History.Outcome;
import io.configd.chaos.History.Round;
import io.configd.chaos.History.Seen;
import io.configd.chaos.History.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Compares what the workload was told and saw with what PostgreSQL, Kafka, the audit log and the subscribers hold. */
final class Checker {

  static final String ACKED = "every acknowledged write is in PostgreSQL's history";
  static final String KAFKA = "every committed change is in Kafka";
  static final String AUDIT = "every committed change is in the audit log";
  static final String REVISIONS = "revisions are gap-free and in commit order";
  static final String SUBSCRIBERS = "every subscriber saw each key's versions in order, none missing, and ends at PostgreSQL's state";
  static final String CAS = "CAS: exactly one winner per round";
  static final String ONCE = "no write applied twice (those without an answer included), none refused applied";
  static final String READS = "every read answered a version PostgreSQL's history holds";
  static final String TXNS = "transactions: all or nothing, contiguous revisions";

  private final History history;
  private final Evidence evidence;
  private final Findings findings;
  private final Map<Long, Version> byRevision = new HashMap<>();
  private final Map<String, Version> byKeyVersion = new HashMap<>();
  private final Map<String, List<Version>> byId = new HashMap<>();
  private final Map<String, List<Version>> byKey = new HashMap<>();

  Checker(History history, Evidence evidence, Findings findings) {
    this.history = history;
    this.evidence = evidence;
    this.findings = findings;
    for (Version version : evidence.history) {
      byRevision.put(version.revision(), version);
      byKeyVersion.put(version.key() + "@" + version.version(), version);
      byId.computeIfAbsent(version.id(), id -> new ArrayList<>()).add(version);
      byKey.computeIfAbsent(version.key(), key -> new ArrayList<>()).add(version);
    }
  }

  void checkAll(List<Map<String, Integer>> subscriberStates, List<String> subscriberNames) {
    acknowledged();
    kafka();
    audit();
    revisions();
    subscribers(subscriberStates, subscriberNames);
    cas();
    once();
    reads();
    txns();
  }

  /** All or nothing, at most once, contiguous revisions in op order; an acknowledged one as its answer said. */
  private void txns() {
    long applied = 0;
    Map<Outcome, Long> outcomes = new HashMap<>();
    for (History.Txn txn : history.txns) {
      findings.checked(TXNS, 1);
      outcomes.merge(txn.outcome(), 1L, Long::sum);
      List<Version> ops = new ArrayList<>();
      boolean twice = false;
      for (int i = 0; i < txn.keys().size(); i++) {
        List<Version> rows = byId.getOrDefault(txn.id() + "." + i, List.of());
        twice |= rows.size() > 1;
        ops.addAll(rows);
      }
      String what = "txn " + txn.id() + " (" + txn.outcome() + ", " + txn.attempts().size() + " attempts) on " + txn.keys();
      if (twice) {
        findings.violation(TXNS, what + " is applied more than once: " + ops);
        continue;
      }
      if (!ops.isEmpty() && ops.size() != txn.keys().size()) {
        findings.violation(TXNS, what + ": only " + ops.size() + " of its " + txn.keys().size() + " puts are in the history");
        continue;
      }
      if (ops.isEmpty()) {
        if (txn.outcome() == Outcome.ACKNOWLEDGED) {
          findings.violation(TXNS, what + " was acknowledged but none of it is in the history");
        }
        continue;
      }
      applied++;
      if (txn.outcome() == Outcome.REFUSED) {
        findings.violation(TXNS, what + " was refused on every attempt, yet it is in the history");
      }
      for (int i = 0; i < ops.size(); i++) {
        Version op = ops.get(i);
        if (!op.key().equals(txn.keys().get(i)) || op.version() != txn.expects().get(i) + 1) {
          findings.violation(TXNS, what + ": put " + i + " is " + op + ", expected " + txn.keys().get(i) + " v"
              + (txn.expects().get(i) + 1));
        }
        if (i > 0 && op.revision() != ops.get(i - 1).revision() + 1) {
          findings.violation(TXNS, what + ": revisions " + ops.stream().map(Version::revision).toList()
              + " are not contiguous in op order");
        }
      }
      if (txn.outcome() == Outcome.ACKNOWLEDGED
          && !txn.revisions().equals(ops.stream().map(Version::revision).toList())) {
        findings.violation(TXNS, what + ": answered revisions " + txn.revisions() + ", the history holds "
            + ops.stream().map(Version::revision).toList());
      }
    }
    findings.figure("transactions: " + history.txns.size() + ", " + outcomes.getOrDefault(Outcome.ACKNOWLEDGED, 0L)
        + " acknowledged, " + outcomes.getOrDefault(Outcome.REFUSED, 0L) + " refused (4xx), "
        + outcomes.getOrDefault(Outcome.UNKNOWN, 0L) + " without an answer; " + applied + " applied");
  }

  private void acknowledged() {
    for (Write write : history.writes()) {
      if (write.outcome() != Outcome.ACKNOWLEDGED) {
        continue;
      }
      findings.checked(ACKED, 1);
      History.Attempt ack = write.acknowledgement();
      Version stored = byRevision.get(ack.revision());
      if (stored == null || !write.id().equals(stored.id()) || stored.version() != ack.version()
          || !stored.key().equals(write.key())) {
        findings.violation(ACKED, write.id() + " acknowledged as " + write.key() + " v" + ack.version() + " r"
            + ack.revision() + " by node-" + ack.node() + ", but revision " + ack.revision() + " holds " + stored);
      }
    }
  }

  private void kafka() {
    Map<Long, Relayed> relayed = new HashMap<>();
    evidence.kafka.forEach(record -> relayed.putIfAbsent(record.revision(), record));
    copied(KAFKA, relayed, "is not in Kafka", "Kafka");
    long duplicates = evidence.kafka.size() - relayed.size();
    findings.figure("kafka: " + evidence.kafka.size() + " records, " + relayed.size() + " revisions, " + duplicates
        + " duplicates (at-least-once relay)");
  }

  private void audit() {
    Map<Long, Audited> audited = new HashMap<>();
    evidence.audit.forEach(row -> audited.put(row.revision(), row));
    copied(AUDIT, audited, "has no audit row", "the audit log");
  }

  /** Every version of PostgreSQL's history has its copy at its revision: the same key, version and write. */
  private void copied(String check, Map<Long, ? extends Copy> copies, String missing, String store) {
    for (Version version : evidence.history) {
      findings.checked(check, 1);
      Copy copy = copies.get(version.revision());
      if (copy == null) {
        findings.violation(check, "revision " + version.revision() + " (" + version.key() + " v" + version.version()
            + ", " + describe(version.id()) + ") " + missing);
      } else if (!version.key().equals(copy.key()) || version.version() != copy.version()
          || !java.util.Objects.equals(version.id(), copy.id())) {
        findings.violation(check, "revision " + version.revision() + " differs in " + store + ": " + copy + " vs "
            + version);
      }
    }
  }

  private void revisions() {
    List<Long> log = evidence.changeLog;
    findings.checked(REVISIONS, log.size());
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i) != i + 1) {
        findings.violation(REVISIONS, "the change log's " + (i + 1) + "th revision is " + log.get(i) + " (a gap or a jump)");
        break;
      }
    }
    Set<Long> versions = evidence.history.stream().map(Version::revision).collect(Collectors.toSet());
    if (!versions.equals(new HashSet<>(log))) {
      findings.violation(REVISIONS, "the version history and the change log hold different revisions");
    }
    byKey.forEach((key, rows) -> {
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).version() != i + 1) {
          findings.violation(REVISIONS, key + ": its " + (i + 1) + "th change in revision order is version "
              + rows.get(i).version() + " (versions out of commit order, or a gap)");
          break;
        }
      }
    });
    evidence.feeds.forEach((node, feed) -> {
      if (!feed.equals(log)) {
        findings.violation(REVISIONS, node + "'s GET /v1/changes from 0 gave " + feed.size() + " changes "
            + summary(feed) + ", PostgreSQL's change log holds " + log.size());
      }
    });
    Map<Integer, Long> highest = new HashMap<>();
    Set<Long> seen = new HashSet<>();
    for (Relayed record : evidence.kafka) {
      long before = highest.getOrDefault(record.partition(), 0L);
      if (record.revision() < before && !seen.contains(record.revision())) {
        findings.violation(REVISIONS, "Kafka partition " + record.partition() + " has revision " + record.revision()
            + " first at offset " + record.offset() + ", after revision " + before);
      }
      seen.add(record.revision());
      highest.put(record.partition(), Math.max(before, record.revision()));
    }
  }

  private void subscribers(List<Map<String, Integer>> states, List<String> names) {
    for (int s = 0; s < names.size(); s++) {
      String name = names.get(s);
      List<Seen> seen;
      synchronized (history.subscribers.get(name)) {
        seen = List.copyOf(history.subscribers.get(name));
      }
      findings.checked(SUBSCRIBERS, seen.size());
      Map<String, List<Seen>> perKey = seen.stream().collect(Collectors.groupingBy(Seen::key));
      for (Map.Entry<String, List<Version>> key : byKey.entrySet()) {
        List<Seen> got = perKey.getOrDefault(key.getKey(), List.of());
        for (int i = 1; i < got.size(); i++) {
          if (got.get(i).version() <= got.get(i - 1).version()) {
            findings.violation(SUBSCRIBERS, name + " got " + key.getKey() + " v" + got.get(i).version() + " after v"
                + got.get(i - 1).version());
          }
        }
        Set<Integer> versions = got.stream().map(Seen::version).collect(Collectors.toSet());
        List<Integer> missing = key.getValue().stream().map(Version::version).filter(v -> !versions.contains(v)).toList();
        if (!missing.isEmpty()) {
          findings.violation(SUBSCRIBERS, name + " never got " + key.getKey() + " " + versionsText(missing));
        }
        for (Seen change : got) {
          Version stored = byKeyVersion.get(key.getKey() + "@" + change.version());
          if (stored == null || stored.revision() != change.revision() || !java.util.Objects.equals(stored.id(), change.id())) {
            findings.violation(SUBSCRIBERS, name + " got " + change + ", PostgreSQL's history holds " + stored);
          }
        }
      }
      Map<String, Integer> state = states.get(s);
      if (!state.equals(evidence.current)) {
        Set<String> differing = new HashSet<>(state.keySet());
        differing.addAll(evidence.current.keySet());
        differing.removeIf(key -> java.util.Objects.equals(state.get(key), evidence.current.get(key)));
        findings.violation(SUBSCRIBERS, name + " ends with " + differing.stream().limit(5)
            .map(key -> key + " v" + state.get(key) + " (PostgreSQL: v" + evidence.current.get(key) + ")")
            .collect(Collectors.joining(", ")) + (differing.size() > 5 ? " …" : ""));
      }
    }
  }

  private void cas() {
    long decided = 0;
    long decidedUnanswered = 0;
    long stale = 0;
    for (Round round : history.rounds) {
      findings.checked(CAS, 1);
      String where = "round " + round.lane() + "." + round.number() + " on " + round.key() + " expecting v" + round.expect();
      List<Write> acked = round.writes().stream().filter(w -> w.outcome() == Outcome.ACKNOWLEDGED).toList();
      Set<String> ids = round.writes().stream().map(Write::id).collect(Collectors.toSet());
      List<Version> applied = ids.stream().flatMap(id -> byId.getOrDefault(id, List.of()).stream()).toList();
      Version next = byKeyVersion.get(round.key() + "@" + (round.expect() + 1));
      if (acked.size() > 1 || applied.size() > 1) {
        findings.violation(CAS, where + ": " + acked.size() + " acknowledged, " + applied.size() + " applied: "
            + applied.stream().map(Version::id).toList());
      } else if (acked.size() == 1) {
        decided++;
        if (next == null || !acked.get(0).id().equals(next.id())) {
          findings.violation(CAS, where + ": " + acked.get(0).id() + " won, but v" + (round.expect() + 1) + " is " + next);
        }
      } else if (applied.size() == 1) {
        decidedUnanswered++;
        if (next == null || !applied.get(0).id().equals(next.id())) {
          findings.violation(CAS, where + ": " + applied.get(0).id() + " was applied as " + applied.get(0)
              + ", not as the next version");
        }
      } else if (next != null) {
        stale++; // another round's write (one without an answer, applied late) took the version first
        if (stale <= 5) {
          findings.figure("  lost round " + where + ": v" + (round.expect() + 1) + " is " + next.id() + " (r"
              + next.revision() + "); its writers: " + round.writes().stream().map(w -> w.id() + " "
              + w.attempts().stream().map(a -> "node-" + a.node() + ":" + a.status()).toList()).toList());
        }
      } else if (round.writes().stream().allMatch(w -> w.outcome() == Outcome.REFUSED)) {
        findings.violation(CAS, where + ": every writer was refused with 412, yet v" + round.expect()
            + " is still the key's last version");
      }
    }
    findings.figure("cas rounds: " + history.rounds.size() + ", won by an acknowledged write " + decided
        + ", by a write whose answer was lost " + decidedUnanswered + ", lost to an earlier round's late write " + stale
        + ", undecided (no answer at all) " + (history.rounds.size() - decided - decidedUnanswered - stale));
  }

  private void once() {
    Map<Outcome, Long> outcomes = new HashMap<>();
    long retried = 0;
    for (Write write : history.writes()) {
      findings.checked(ONCE, 1);
      outcomes.merge(write.outcome(), 1L, Long::sum);
      if (write.attempts().size() > 1) {
        retried++;
      }
      int times = byId.getOrDefault(write.id(), List.of()).size();
      if (times > 1) {
        findings.violation(ONCE, write.id() + " (" + write.outcome() + ", " + write.attempts().size()
            + " attempts) is in the history " + times + " times");
      } else if (write.outcome() == Outcome.REFUSED && times == 1) {
        findings.violation(ONCE, write.id() + " was refused (412) on every attempt, yet it is in the history");
      } else if (write.outcome() == Outcome.ACKNOWLEDGED && times == 0) {
        findings.violation(ONCE, write.id() + " was acknowledged but is not in the history");
      }
    }
    long unknownApplied = history.writes().stream().filter(w -> w.outcome() == Outcome.UNKNOWN)
        .filter(w -> byId.containsKey(w.id())).count();
    findings.figure("writes: " + history.writes().size() + " attempted, " + outcomes.getOrDefault(Outcome.ACKNOWLEDGED, 0L)
        + " acknowledged, " + outcomes.getOrDefault(Outcome.REFUSED, 0L) + " refused (412), "
        + outcomes.getOrDefault(Outcome.UNKNOWN, 0L) + " without an answer (" + unknownApplied + " of them applied), "
        + retried + " retried on another node");
  }

  private void reads() {
    findings.checked(READS, history.reads.size());
    for (History.Read read : history.reads) {
      Version stored = byKeyVersion.get(read.key() + "@" + read.version());
      if (stored == null || !java.util.Objects.equals(stored.id(), read.id())) {
        findings.violation(READS, "a read of " + read.key() + " answered v" + read.version() + " = " + read.id()
            + ", the history holds " + stored);
      }
    }
    findings.figure("reads: " + history.reads.size() + " answered, " + history.readFailures.get() + " failed");
  }

  private String describe(String id) {
    for (Write write : history.writes()) {
      if (write.id().equals(id)) {
        return write.outcome() == Outcome.ACKNOWLEDGED ? "acknowledged write " + id : write.outcome() + " write " + id;
      }
    }
    return "write " + id;
  }

  private static String versionsText(List<Integer> versions) {
    return versions.size() <= 8 ? "v" + versions : versions.size() + " versions from v" + versions.get(0);
  }

  private static String summary(List<Long> feed) {
    return feed.isEmpty() ? "[]" : "[" + feed.get(0) + " … " + feed.get(feed.size() - 1) + "]";
  }
}
