package io.configd.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one bench run does: the scenarios and their sizes. {@code --quick} shrinks every default
 * (200 subscribers, 20 writes, 5 s of reads) so that CI can run the harness; an explicit option
 * still wins over it.
 */
record BenchOptions(List<String> scenarios, boolean quick, String url, int subscribers, int writes, double rate,
                    int[] spread, int connectBatch, boolean deflate, int readConcurrency, double readSeconds, int hotKeys,
                    int coldKeys, int writeConcurrency, double writeSeconds, double warmupSeconds, double writeWarmupSeconds,
                    double writeSettleSeconds,
                    String env,
                    Path out, String schema, String nodeClasspath, int nodes, List<String> readVariants, double soakMinutes,
                    String command, String peer, List<Integer> subscriberCounts, List<Integer> writeConcurrencies,
                    double gray, double propagationWarmupSeconds, List<Integer> lingers, List<Integer> fetchWaits) {

  /** What "all" runs; {@code txn} (POST /v1/txn of 100 puts, at each write concurrency) runs when named. */
  static final List<String> SCENARIOS = List.of("propagation", "reads", "writes");
  /** Scenarios that "all" leaves out: the soak runs for minutes, txn (POST /v1/txn of 100 puts) runs when named. */
  static final List<String> LONG_SCENARIOS = List.of("soak", "txn");
  static final List<String> NAMED = List.of("propagation", "reads", "writes", "soak", "txn");

  static final String USAGE = """
      usage: bin/bench [all|propagation|reads|writes|soak|txn[,...]] [options]
        --quick                 small run of each figure (200 subscribers, 20 writes, 5 s of reads) for CI
        --url URL               bench an already-running node (default: start one with bin/configd)
        --subscribers N[,N...]  propagation: WebSocket subscribers, one run per count (default 10000; with
                                --peer: 1000,10000)
        --writes W              propagation: writes (default 200)
        --propagation-warmup T  propagation: T seconds of writes at --rate to the same keys before the measured ones,
                                their arrivals not counted, so that each subscriber count meets a node past its JIT
                                compilation of the change path (default 20; --quick 1; 0: none)
        --rate R                propagation: writes per second, fixed rate (default 20)
        --spread K,G,A          propagation: percent of subscribers on one key, on a group prefix, on the
                                whole bench prefix (default 60,30,10)
        --minutes M             soak: the propagation scenario's subscribers and rate for M minutes (default 10),
                                each node's heap (after a full GC) and resident set sampled every 10 s, growth reported
        --linger L[,L...]       propagation: one fresh node per value of the producer's linger.ms (and per
        --fetch-wait F[,F...]   value of the consumers' fetch.max.wait.ms), each run at every subscriber count,
                                then side by side (default: neither; the node's own settings)
        --connect-batch B       propagation: sockets connected at once (default 500)
        --deflate               propagation: subscribers offer permessage-deflate, as browsers and Node's ws do
        --gray P                propagation: every subscriber names its instance (hello, bench-<i>, zone=eu-1), and
                                a gray release of bench.fan.gray.flag to P % of them is live from before they connect
                                to after the last arrival, and prints how many it targeted and whether exactly
                                those received it (default 0: anonymous subscribers, no rollout)
        --nodes K               start K clustered nodes; propagation spreads its subscribers over them round-robin
                                and writes through node 1; reads use node 1; writes warm every node, then run through
                                node 1 alone and spread round-robin over all K, and print both (default 1: one node)
        --concurrency C         reads and writes: requests in flight (default 32 reads, 16 writes)
        --read-concurrency C, --write-concurrency C[,C...]   (writes: one run per value; with --peer: 16,64)
        --peer etcd             run Debian's etcd-server (installed by bin/bench when missing) on spare ports beside the node:
                                the same writes and the same watchers over its HTTP gateway, then both and their ratio
        --seconds T             reads (per variant) and writes: measured seconds (default 10)
        --warmup T              reads: seconds run before measuring (default 2); also writes' and txn's when given
        --write-warmup T        writes, txn and etcd's writes: seconds of the same closed loop before measuring
                                (default 60: a fresh node's JIT compiles its write path for a minute or two; each
                                run prints how much it compiled in the warm-up and during the measured writes)
        --write-settle S        writes and txn: after --write-warmup, 10 s steps more until a step in which the node's
                                JIT compiled at most 5 % of it (at c16 it still compiled half a core after 90 s), at
                                most S seconds more (default 120; --quick 0)
        --hot-keys H            reads: hot keys (default 10)
        --cold-keys K           reads: cold keys; the cold variant reads each once, on a node of its own with the near
                                cache off and a fresh Redis namespace (default 30000)
        --variants V,...        reads: which of hot, ceiling, cold, redis, redis-down, redis-down-hot (default all;
                                ceiling is a plain Vert.x server of the bench's own, the stack's ceiling; cold, redis
                                and redis-down* start nodes of their own, so they need no --url)
        --env E                 environment (default production)
        --out DIR               where the JSON goes (default bench-results)
        --schema S              PostgreSQL schema, Kafka topic suffix and group suffix of the node the bench
                                starts (default bench)
        --node-classpath CP     start the node as `java -cp CP io.configd.Main` instead of bin/configd
      The node the bench starts gets its JVM options from CONFIGD_JAVA_OPTS.""";

  static BenchOptions parse(String[] args, String command) {
    List<String> scenarios = new ArrayList<>();
    Map<String, String> values = new HashMap<>();
    boolean quick = false;
    boolean deflate = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--quick")) {
        quick = true;
      } else if (arg.equals("--deflate")) {
        deflate = true;
      } else if (arg.equals("--help") || arg.equals("-h")) {
        throw new UsageException("");
      } else if (arg.startsWith("--")) {
        String name = arg.substring(2);
        String value;
        int eq = name.indexOf('=');
        if (eq > 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new UsageException("option --" + name + " needs a value");
        }
        values.put(name, value);
      } else {
        for (String scenario : arg.toLowerCase(Locale.ROOT).split(",")) {
          if (scenario.equals("all")) {
            scenarios.addAll(SCENARIOS);
          } else if (NAMED.contains(scenario)) {
            scenarios.add(scenario);
          } else {
            throw new UsageException("unknown scenario '" + scenario + "'; one of all, " + String.join(", ", NAMED));
          }
        }
      }
    }
    if (scenarios.isEmpty()) {
      scenarios.addAll(SCENARIOS);
    }
    Options o = new Options(values);
    String peer = o.text("peer", null);
    if (peer != null && !peer.equals("etcd")) {
      throw new UsageException("--peer takes etcd");
    }
    List<Integer> subscriberCounts = o.integers("subscribers", quick ? List.of(200) : peer != null ? List.of(1_000, 10_000) : List.of(10_000));
    List<Integer> writeConcurrencies = o.integers("write-concurrency", null);
    int concurrency = o.integer("concurrency", 0);
    if (writeConcurrencies == null) {
      writeConcurrencies = concurrency > 0 ? List.of(concurrency) : peer != null ? List.of(16, 64) : List.of(16);
    }
    BenchOptions options = new BenchOptions(List.copyOf(scenarios), quick, o.text("url", null),
        subscriberCounts.get(0),
        o.integer("writes", quick ? 20 : 200),
        o.decimal("rate", 20),
        o.spread("spread", new int[] {60, 30, 10}),
        o.integer("connect-batch", 500),
        deflate,
        o.integer("read-concurrency", concurrency > 0 ? concurrency : 32),
        o.decimal("seconds", quick ? 2.5 : 10),
        o.integer("hot-keys", 10),
        o.integer("cold-keys", quick ? 200 : 30_000),
        writeConcurrencies.get(0),
        o.decimal("seconds", quick ? 3 : 10),
        o.decimal("warmup", quick ? 0.5 : 2),
        o.decimal("write-warmup", values.containsKey("warmup") ? o.decimal("warmup", 2) : quick ? 0.5 : 60),
        o.decimal("write-settle", quick ? 0 : 120),
        o.text("env", "production"),
        Path.of(o.text("out", "bench-results")),
        o.text("schema", "bench"),
        o.text("node-classpath", null),
        o.integer("nodes", 1),
        o.list("variants", ReadsScenario.VARIANTS),
        o.decimal("minutes", quick ? 0.5 : 10),
        command, peer, subscriberCounts, writeConcurrencies,
        o.decimal("gray", 0),
        o.decimal("propagation-warmup", quick ? 1 : 20),
        o.integers("linger", null), o.integers("fetch-wait", null));
    o.rejectUnknown();
    if (!options.schema().matches("[a-z][a-z0-9_]{0,40}")) {
      throw new UsageException("--schema must match [a-z][a-z0-9_]*");
    }
    if (subscriberCounts.stream().anyMatch(count -> count < 1) || writeConcurrencies.stream().anyMatch(c -> c < 1)
        || options.subscribers() < 1 || options.writes() < 1 || options.rate() <= 0 || options.readConcurrency() < 1
        || options.writeConcurrency() < 1 || options.soakMinutes() <= 0 || options.hotKeys() < 1 || options.coldKeys() < 1
        || options.nodes() < 1 || options.writeWarmupSeconds() < 0 || options.writeSettleSeconds() < 0 || options.gray() < 0 || options.gray() > 100 || options.propagationWarmupSeconds() < 0) {
      throw new UsageException("sizes and rates must be positive");
    }
    if ((options.lingers() != null || options.fetchWaits() != null) && (options.nodes() > 1 || options.url() != null)) {
      throw new UsageException("--linger and --fetch-wait start a node of their own per value; not with --nodes or --url");
    }
    if (java.util.stream.Stream.of(options.lingers(), options.fetchWaits()).filter(java.util.Objects::nonNull)
        .flatMap(List::stream).anyMatch(ms -> ms < 0)) {
      throw new UsageException("--linger and --fetch-wait take milliseconds, 0 or more");
    }
    if (options.nodes() > 1 && options.url() != null) {
      throw new UsageException("--nodes starts the bench's own nodes; it does not combine with --url");
    }
    for (String variant : options.readVariants()) {
      if (!ReadsScenario.VARIANTS.contains(variant)) {
        throw new UsageException("unknown read variant '" + variant + "'; one of " + String.join(", ", ReadsScenario.VARIANTS));
      }
    }
    return options;
  }

  /** The same run with another subscriber count and write concurrency (one of the lists'). */
  BenchOptions with(int subscriberCount, int writeConcurrency) {
    return new BenchOptions(scenarios, quick, url, subscriberCount, writes, rate, spread, connectBatch, deflate,
        readConcurrency, readSeconds, hotKeys, coldKeys, writeConcurrency, writeSeconds, warmupSeconds, writeWarmupSeconds,
        writeSettleSeconds, env, out, schema, nodeClasspath, nodes, readVariants, soakMinutes, command, peer, subscriberCounts, writeConcurrencies, gray,
        propagationWarmupSeconds, lingers, fetchWaits);
  }

  /** The option values, each taken at most once, so that a misspelt option is refused rather than ignored. */
  private static final class Options {
    private final Map<String, String> values;
    private final java.util.Set<String> used = new java.util.HashSet<>();

    Options(Map<String, String> values) {
      this.values = values;
    }

    String text(String name, String fallback) {
      used.add(name);
      return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
      String value = text(name, null);
      try {
        return value == null ? fallback : Integer.parseInt(value.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + " takes a whole number, not '" + value + "'");
      }
    }

    double decimal(String name, double fallback) {
      String value = text(name, null);
      try {
        return value == null ? fallback : Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + " takes a number, not '" + value + "'");
      }
    }

    List<Integer> integers(String name, List<Integer> fallback) {
      String value = text(name, null);
      if (value == null) {
        return fallback;
      }
      List<Integer> numbers = new ArrayList<>();
      for (String part : value.split(",")) {
        try {
          numbers.add(Integer.parseInt(part.trim().replace("_", "")));
        } catch (NumberFormatException e) {
          throw new UsageException("--" + name + " takes whole numbers separated by commas, not '" + value + "'");
        }
      }
      return List.copyOf(numbers);
    }

    List<String> list(String name, List<String> fallback) {
      String value = text(name, null);
      return value == null ? fallback : List.of(value.toLowerCase(Locale.ROOT).split(","));
    }

    int[] spread(String name, int[] fallback) {
      String value = text(name, null);
      if (value == null) {
        return fallback;
      }
      String[] parts = value.split(",");
      try {
        int[] spread = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
        if (parts.length == 3 && spread[0] >= 0 && spread[1] >= 0 && spread[2] >= 0
            && spread[0] + spread[1] + spread[2] == 100) {
          return spread;
        }
      } catch (RuntimeException e) {
        // refused below
      }
      throw new UsageException("--spread takes three percentages that add up to 100, e.g. 60,30,10");
    }

    void rejectUnknown() {
      for (String name : values.keySet()) {
        if (!used.contains(name)) {
          throw new UsageException("unknown option --" + name);
        }
      }
    }
  }

  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
