package io.configd.bench;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the node's PostgreSQL backends are doing while a write batch runs, sampled from pg_stat_activity every few
 * milliseconds over the measured writes: on CPU, waiting for a row lock (the revision counter's, or an entry's held
 * by another batch), for the NOTIFY queue's lock (every notifying commit of the whole server, all schemas and
 * databases, takes it in turn until its commit is flushed), or for the WAL flush. Shares of samples do not depend on
 * how loaded the machine is the way times do; multiplied by the sampling period and divided by the batches, they
 * give an estimate of each part's time per batch. The node's backends are found by their client ports: the node
 * processes' sockets to PostgreSQL's port (from /proc), so that other nodes on the same server are left out; their
 * own CPU (from /proc too) per write is what the node costs PostgreSQL, whoever else uses it.
 */
final class PgWaits {

  /** Sampling period: about 1,000 samples in a 10 s run, for a query of well under a millisecond. */
  static final long PERIOD_MILLIS = 10;

  private static final String SAMPLE = """
      select pid, state, wait_event_type, wait_event, query like '%configd_write_batch(%' as batch
      from pg_stat_activity where client_port = any($1) and pid <> pg_backend_pid()""";

  private final List<NodeUnderTest> nodes;
  private final PgConnection connection;
  private final Integer[] ports;
  private final long batchesBefore;
  private final long writesBefore;
  /** Each backend's CPU seconds when it was first seen, from /proc (PostgreSQL runs on this machine). */
  private final Map<Integer, Double> cpuAtFirstSight = new HashMap<>();
  private final long started = System.nanoTime();
  /** Samples of backends running the write batch, by what they were doing; then of other statements and idle ones. */
  private final Map<String, Long> batch = new LinkedHashMap<>();
  private final Map<String, Long> other = new LinkedHashMap<>();
  private long rounds;
  private volatile boolean stopping;
  private final Promise<Void> stopped = Promise.promise();

  private PgWaits(List<NodeUnderTest> nodes, PgConnection connection, Integer[] ports, long[] counts) {
    this.nodes = nodes;
    this.connection = connection;
    this.ports = ports;
    this.batchesBefore = counts[0];
    this.writesBefore = counts[1];
  }

  /** Starts sampling the nodes' backends; null (and a row saying why) when they cannot be found. */
  static PgWaits start(Vertx vertx, List<NodeUnderTest> nodes) {
    try {
      PgConnectOptions options = PgConnectOptions.fromUri(System.getenv().getOrDefault("CONFIGD_PG_URI",
          "postgresql://configd:configd@127.0.0.1:5432/configd"));
      Set<Integer> ports = new HashSet<>();
      for (NodeUnderTest node : nodes) {
        ports.addAll(clientPorts(node.pid(), options.getPort()));
      }
      if (ports.isEmpty()) {
        Report.row("PostgreSQL during the batches", "not sampled: no connection of the node's to port " + options.getPort()
            + " found in /proc");
        return null;
      }
      PgConnection connection = PgConnection.connect(vertx, options).await();
      PgWaits waits = new PgWaits(nodes, connection, ports.toArray(Integer[]::new), counts(nodes));
      vertx.runOnContext(v -> waits.sample(vertx));
      return waits;
    } catch (RuntimeException e) {
      Report.row("PostgreSQL during the batches", "not sampled: " + e);
      return null;
    }
  }

  private void sample(Vertx vertx) {
    if (stopping) {
      connection.close().onComplete(done -> stopped.complete());
      return;
    }
    connection.preparedQuery(SAMPLE).execute(Tuple.tuple().addArrayOfInteger(ports)).onComplete(done -> {
      if (done.succeeded()) {
        rounds++;
        for (Row row : done.result()) {
          cpuAtFirstSight.computeIfAbsent(row.getInteger("pid"), PgWaits::cpuSeconds);
          String what = what(row.getString("state"), row.getString("wait_event_type"), row.getString("wait_event"));
          if (!"active".equals(row.getString("state"))) {
            other.merge(what, 1L, Long::sum);
          } else if (Boolean.TRUE.equals(row.getBoolean("batch"))) {
            batch.merge(what, 1L, Long::sum);
          } else { // the relay's statements, the audit insert, reads
            other.merge("another statement, " + what, 1L, Long::sum);
          }
        }
      }
      vertx.setTimer(PERIOD_MILLIS, id -> sample(vertx));
    });
  }

  /** The names a reader of the row understands, for the wait events a write batch meets. */
  private static String what(String state, String type, String event) {
    if (!"active".equals(state)) {
      return state == null ? "unknown" : state;
    }
    if (type == null) {
      return "on CPU";
    }
    return switch (type + ":" + event) {
      case "Lock:transactionid", "Lock:tuple" -> "row lock (revision counter or entry)";
      case "Lock:object" -> "NOTIFY queue lock (server-wide)";
      case "IO:WALSync", "IO:WALWrite", "LWLock:WALWrite", "IO:WALInitSync", "IO:WALInitWrite" -> "WAL flush";
      default -> type + ":" + event;
    };
  }

  /** Stops sampling, prints the shares and the estimated time per batch of each, and returns them. */
  JsonObject stop() {
    stopping = true;
    stopped.future().await();
    double seconds = (System.nanoTime() - started) / 1e9;
    long[] counts = counts(nodes);
    long batches = counts[0] - batchesBefore;
    long writes = counts[1] - writesBefore;
    double cpu = cpuAtFirstSight.entrySet().stream().mapToDouble(each -> cpuSeconds(each.getKey()) - each.getValue())
        .filter(used -> !Double.isNaN(used)).sum();
    double period = rounds == 0 ? 0 : seconds * 1000 / rounds; // the real period, query time included
    long inBatch = batch.values().stream().mapToLong(Long::longValue).sum();
    JsonObject shares = new JsonObject();
    StringBuilder text = new StringBuilder();
    batch.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(each -> {
      double share = (double) each.getValue() / Math.max(1, inBatch);
      double perBatch = each.getValue() * period / Math.max(1, batches);
      shares.put(each.getKey(), new JsonObject().put("samples", each.getValue()).put("share", round(share))
          .put("msPerBatch", round(perBatch)));
      text.append(text.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.0f %% (%.2f ms)",
          each.getKey(), 100 * share, perBatch));
    });
    Report.row("PostgreSQL in the write batches", String.format(Locale.ROOT,
        "%,d samples every %.1f ms of %d backends over %,d batches; ≈ %.2f ms a batch in PostgreSQL: %s",
        rounds, period, ports.length, batches, inBatch * period / Math.max(1, batches), text));
    JsonObject others = new JsonObject();
    other.forEach(others::put);
    Report.row("the same backends otherwise", others.encode() + " (samples)");
    // the node's own backends only, unlike the PostgreSQL row above (every process of it, whoever's)
    Report.row("CPU of the node's backends", String.format(Locale.ROOT,
        "%.2f cores, %.3f ms a write, %.2f ms a batch (%d backends; relay, audit and reads included)", cpu / seconds,
        cpu * 1000 / Math.max(1, writes), cpu * 1000 / Math.max(1, batches), cpuAtFirstSight.size()));
    return new JsonObject().put("backendCpuSeconds", round(cpu)).put("writes", writes)
        .put("backendCpuMsPerWrite", round(cpu * 1000 / Math.max(1, writes))).put("rounds", rounds).put("periodMs", round(period)).put("backends", ports.length)
        .put("batches", batches).put("batch", shares).put("otherwise", others);
  }

  /** The nodes' batches and writes so far. */
  private static long[] counts(List<NodeUnderTest> nodes) {
    long[] sum = new long[2];
    for (NodeUnderTest node : nodes) {
      JsonObject writes = node.getJson("/v1/stats/writes");
      sum[0] += writes.getLong("batches", 0L);
      sum[1] += writes.getLong("writes", 0L);
    }
    return sum;
  }

  /** utime + stime of a process, from /proc/&lt;pid&gt;/stat; NaN once it is gone. */
  private static double cpuSeconds(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    } catch (Exception gone) {
      return Double.NaN;
    }
  }

  /** The local ports of {@code pid}'s TCP connections to {@code serverPort}: its sockets' inodes in /proc/net/tcp*. */
  static Set<Integer> clientPorts(long pid, int serverPort) {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      fds.forEach(fd -> {
        try {
          String link = Files.readSymbolicLink(fd).toString();
          if (link.startsWith("socket:[")) {
            inodes.add(link.substring(8, link.length() - 1));
          }
        } catch (Exception gone) {
          // closed meanwhile
        }
      });
    } catch (Exception e) {
      return Set.of();
    }
    Set<Integer> ports = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(1, lines.size())) {
          String[] fields = line.trim().split("\\s+");
          String local = fields[1];
          String remote = fields[2];
          int remotePort = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
          if (remotePort == serverPort && inodes.contains(fields[9])) {
            ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
          }
        }
      } catch (Exception e) {
        // no such table here
      }
    }
    return ports;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
