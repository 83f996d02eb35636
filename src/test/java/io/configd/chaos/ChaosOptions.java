package io.configd.chaos;

import java.time.Duration;
import java.util.List;

/**
 * What a chaos run does: how long faults run, how each is held, and the workload's size.
 *
 * @param faults     how long the fault schedule runs (no fault starts after it)
 * @param hold       how long each fault lasts before it is repaired
 * @param gap        the calm between two faults
 * @param nodes      clustered nodes (2 or 3)
 * @param lanes      lanes of CAS writers, each on keys of its own
 * @param contenders CAS writers per round
 * @param keys       keys per lane
 * @param readers    reader threads
 * @param subscribers Java-client subscribers
 * @param txnEvery   a transaction in place of every n-th round (0: none)
 * @param pause      pause between a lane's rounds, and between a reader's reads
 * @param settle     how long the run waits, after the faults, for Kafka, the audit log and the subscribers to catch up
 * @param kinds      the faults injected, in turn (none: the workload runs for the time without faults)
 */
record ChaosOptions(Duration faults, Duration hold, Duration gap, int nodes, int lanes, int contenders, int keys, int readers,
                    int subscribers, int txnEvery, Duration pause, Duration settle, List<Faults.Kind> kinds) {

  static ChaosOptions defaults() {
    return new ChaosOptions(Duration.ofMinutes(30), Duration.ofSeconds(15), Duration.ofSeconds(20), 3, 3, 3, 4, 2, 6, 5,
        Duration.ofMillis(20), Duration.ofSeconds(240), List.of(Faults.Kind.values()));
  }

  /** The short run of bin/test: every fault once, each held 5 s with 4 s between them; a small workload. */
  static ChaosOptions short_() {
    return new ChaosOptions(Duration.ofSeconds(54), Duration.ofSeconds(5), Duration.ofSeconds(4), 3, 2, 3, 3, 1, 3, 4,
        Duration.ofMillis(40), Duration.ofSeconds(180), List.of(Faults.Kind.values()));
  }

  static ChaosOptions parse(List<String> args) {
    ChaosOptions o = defaults();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new IllegalArgumentException("");
      }
      if (arg.equals("--short")) {
        o = short_();
        continue;
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException(arg + " needs a value");
      }
      String value = args.get(++i);
      o = switch (arg) {
        case "--minutes" -> o.with(Duration.ofSeconds(Math.round(Double.parseDouble(value) * 60)), null, null);
        case "--seconds" -> o.with(Duration.ofSeconds(Long.parseLong(value)), null, null);
        case "--hold" -> o.with(null, Duration.ofSeconds(Long.parseLong(value)), null);
        case "--gap" -> o.with(null, null, Duration.ofSeconds(Long.parseLong(value)));
        case "--nodes" -> new ChaosOptions(o.faults, o.hold, o.gap, range(arg, value, 2, 3), o.lanes, o.contenders, o.keys,
            o.readers, o.subscribers, o.txnEvery, o.pause, o.settle, o.kinds);
        case "--lanes" -> new ChaosOptions(o.faults, o.hold, o.gap, o.nodes, range(arg, value, 1, 64), o.contenders, o.keys,
            o.readers, o.subscribers, o.txnEvery, o.pause, o.settle, o.kinds);
        case "--contenders" -> new ChaosOptions(o.faults, o.hold, o.gap, o.nodes, o.lanes, range(arg, value, 2, 16), o.keys,
            o.readers, o.subscribers, o.txnEvery, o.pause, o.settle, o.kinds);
        case "--keys" -> new ChaosOptions(o.faults, o.hold, o.gap, o.nodes, o.lanes, o.contenders, range(arg, value, 1, 1000),
            o.readers, o.subscribers, o.txnEvery, o.pause, o.settle, o.kinds);
        case "--readers" -> new ChaosOptions(o.faults, o.hold, o.gap, o.nodes, o.lanes, o.contenders, o.keys,
            range(arg, value, 0, 64), o.subscribers, o.txnEvery, o.pause, o.settle, o.kinds);
        case "--subscribers" -> new ChaosOptions(o.faults, o.hold, o.gap, o.nodes, o.lanes, o.contenders, o.keys, o.readers,
            range(arg, value, 1, 1000), o.txnEvery, o.pause, o.settle, o.kinds);
        case "--txn-every" -> new ChaosOptions(o.faults, o.hold, o.gap, o.nodes, o.lanes, o.contenders, o.keys, o.readers,
            o.subscribers, range(arg, value, 0, 1000), o.pause, o.settle, o.kinds);
        case "--pause-ms" -> new ChaosOptions(o.faults, o.hold, o.gap, o.nodes, o.lanes, o.contenders, o.keys, o.readers,
            o.subscribers, o.txnEvery, Duration.ofMillis(range(arg, value, 0, 10_000)), o.settle, o.kinds);
        case "--settle" -> new ChaosOptions(o.faults, o.hold, o.gap, o.nodes, o.lanes, o.contenders, o.keys, o.readers,
            o.subscribers, o.txnEvery, o.pause, Duration.ofSeconds(range(arg, value, 10, 3600)), o.kinds);
        case "--faults" -> o.withKinds(value.isBlank() || value.equals("none") ? List.of()
            : java.util.Arrays.stream(value.split(",")).map(k -> Faults.Kind.valueOf(k.strip().toUpperCase())).toList());
        default -> throw new IllegalArgumentException("unknown option " + arg);
      };
    }
    return o;
  }

  private ChaosOptions with(Duration faults, Duration hold, Duration gap) {
    return new ChaosOptions(faults != null ? faults : this.faults, hold != null ? hold : this.hold,
        gap != null ? gap : this.gap, nodes, lanes, contenders, keys, readers, subscribers, txnEvery, pause, settle, kinds);
  }

  ChaosOptions withKinds(List<Faults.Kind> kinds) {
    return new ChaosOptions(faults, hold, gap, nodes, lanes, contenders, keys, readers, subscribers, txnEvery, pause, settle,
        kinds);
  }

  private static int range(String option, String value, int min, int max) {
    int n = Integer.parseInt(value);
    if (n < min || n > max) {
      throw new IllegalArgumentException(option + " must be " + min + " to " + max);
    }
    return n;
  }

  static final String USAGE = """
      usage: bin/chaos [--minutes M | --seconds S] [--short] [--hold S] [--gap S] [--nodes 2|3] [--lanes N]
                       [--contenders N] [--keys N] [--readers N] [--subscribers N] [--txn-every N] [--pause-ms MS]
                       [--settle S] [--faults KIND,...|none]
        --minutes 30   how long faults run (default 30 minutes; each fault runs at least once); --short: bin/test's run, each fault once
        --hold 15      seconds each fault lasts;  --gap 20  seconds of calm between faults
        --nodes 3      clustered nodes, each in a network namespace of the run's own
        --lanes 3 --contenders 3 --keys 4   CAS writers: lanes x contenders, each lane on keys of its own
        --readers 2 --subscribers 6         GET readers and Java-client subscribers
        --txn-every 5  a transaction (POST /v1/txn, a put on two keys) in place of every n-th CAS round (0: none)
        --settle 240   seconds to wait after the faults for Kafka, the audit log and subscribers to catch up
        --faults       which faults, in turn (default all): node_sigkill, node_sigstop, kafka_sigkill,
                       redis_sigkill, postgresql_restart, partition; none: the workload alone
      Needs root (network namespaces), PostgreSQL's server binaries, redis-server and the Kafka jars of bin/services.
      Exits 0 when the checker finds no violation, 1 when it finds one, 2 when the run itself failed.""";
}
