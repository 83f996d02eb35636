package io.configd.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * One chaos run: the cluster of its own, the workload (CAS writers, readers, Java-client subscribers), the fault
 * schedule; then everything repaired, a wait for the relay, the audit log and the subscribers to catch up, and the
 * checker's findings. The run's logs and report go in its directory.
 */
final class ChaosRun {

  private final ChaosOptions options;
  private final Path dir;
  private final History history = new History();
  private final List<Double> loads = new ArrayList<>();

  ChaosRun(ChaosOptions options, Path dir) {
    this.options = options;
    this.dir = dir;
  }

  Findings run() throws Exception {
    return run(cluster -> { }, () -> 0);
  }

  /**
   * @param beforeNodes runs once the services are up, before the nodes start (a test's broken relay)
   * @param neverAudited how many changes can never reach the audit log (a broken relay's losses), so that the settle
   *                     wait ends when everything else arrived instead of running out its time
   */
  Findings run(Consumer<ChaosCluster> beforeNodes, IntSupplier neverAudited) throws Exception {
    Instant started = Instant.now();
    sampleLoad();
    try (ChaosCluster cluster = ChaosCluster.start(options.nodes(), dir, beforeNodes);
         Subscribers subscribers = new Subscribers(history)) {
      System.out.println("chaos: " + options.nodes() + " nodes ready at " + cluster.nodes().stream().map(ChaosNode::url).toList()
          + "; logs in " + dir);
      Api api = new Api(cluster.adminToken());
      subscribers.start(options.subscribers(), cluster.nodes(), cluster.adminToken());
      List<String> allKeys = new ArrayList<>();
      List<CasWriters> lanes = new ArrayList<>();
      for (int lane = 0; lane < options.lanes(); lane++) {
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < options.keys(); k++) {
          keys.add(Subscribers.PREFIX + ".l" + lane + ".k" + k);
        }
        allKeys.addAll(keys);
        lanes.add(new CasWriters(lane, keys, cluster.nodes(), api, history, options.contenders(), options.pause().toMillis(),
            cluster::connect, options.txnEvery()));
      }
      List<Readers> readers = new ArrayList<>();
      for (int r = 0; r < options.readers(); r++) {
        readers.add(new Readers(allKeys, cluster.nodes(), api, history, options.pause().toMillis()));
      }
      List<Thread> threads = new ArrayList<>();
      lanes.forEach(lane -> threads.add(daemon(lane, "chaos-lane")));
      readers.forEach(reader -> threads.add(daemon(reader, "chaos-reader")));
      Thread loadSampler = daemon(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          Waits.pause(10_000);
          sampleLoad();
        }
      }, "chaos-load");

      Instant faultsStarted = Instant.now();
      Faults faults = new Faults(cluster, options.faults(), options.hold(), options.gap(), options.kinds());
      faults.run();
      Instant faultsEnded = Instant.now();
      // every fault is repaired; a few seconds of calm workload, then the writers stop
      cluster.nodes().forEach(node -> node.awaitReady(300));
      Waits.pause(3_000);
      lanes.forEach(CasWriters::stop);
      readers.forEach(Readers::stop);
      for (Thread thread : threads) {
        thread.join(60_000);
      }
      Instant workloadEnded = Instant.now();
      boolean settled = Waits.within((int) options.settle().toSeconds(), () -> settled(cluster, subscribers, neverAudited.getAsInt()));
      Duration settle = Duration.between(workloadEnded, Instant.now());
      loadSampler.interrupt();
      sampleLoad();

      Evidence evidence;
      try (Connection pg = cluster.connect()) {
        evidence = Evidence.gather(pg, cluster.kafka().bootstrapServers(), ChaosCluster.TOPIC, cluster.nodes(), api);
      }
      Findings findings = new Findings();
      findings.figure("chaos run of " + started + ": " + options);
      findings.figure("faults: " + Duration.between(faultsStarted, faultsEnded).toSeconds() + " s, "
          + faults.injected().size() + " injected: " + count(faults.injected()));
      List<String> restarts = faults.restarts();
      if (!restarts.isEmpty()) {
        findings.figure("restarts: " + String.join(", ", restarts));
      }
      faults.injected().stream().filter(f -> !f.note().isEmpty())
          .forEach(f -> findings.figure("  note: " + f.kind() + " " + f.target() + " at " + f.at() + ": " + f.note()));
      findings.figure("workload: " + Duration.between(started, workloadEnded).toSeconds() + " s; then "
          + (settled ? "settled" : "NOT settled") + " in " + settle.toSeconds() + " s (unpublished " + evidence.unpublished
          + ", audit rows " + evidence.audit.size() + " of " + evidence.changeLog.size() + ")");
      findings.figure("postgresql: " + evidence.changeLog.size() + " changes, head revision "
          + (evidence.changeLog.isEmpty() ? 0 : evidence.changeLog.get(evidence.changeLog.size() - 1)));
      findings.figure("subscribers: " + options.subscribers() + ", " + history.subscribers.values().stream()
          .mapToInt(List::size).sum() + " changes received");
      findings.figure(String.format("load average (1 min) during the run: min %.2f, max %.2f, mean %.2f, on %d cores",
          loads.stream().mapToDouble(d -> d).min().orElse(0), loads.stream().mapToDouble(d -> d).max().orElse(0),
          loads.stream().mapToDouble(d -> d).average().orElse(0), Runtime.getRuntime().availableProcessors()));
      new Checker(history, evidence, findings).checkAll(subscribers.states(), subscribers.names());
      Files.writeString(dir.resolve("report.txt"), findings.report());
      return findings;
    }
  }

  /**
   * The relay's backlog is empty, the audit log has every change (but those that can never reach it), and each
   * subscriber holds PostgreSQL's state.
   */
  private boolean settled(ChaosCluster cluster, Subscribers subscribers, int neverAudited) throws SQLException {
    try (Connection pg = cluster.connect(); Statement statement = pg.createStatement()) {
      long changes;
      long unpublished;
      try (ResultSet rows = statement.executeQuery(
          "select count(*), count(*) filter (where c.revision > r.revision) from chaos.config_change c, chaos.config_relay r")) {
        rows.next();
        changes = rows.getLong(1);
        unpublished = rows.getLong(2);
      }
      long audited;
      try (ResultSet rows = statement.executeQuery("select count(*) from chaos.audit_log")) {
        rows.next();
        audited = rows.getLong(1);
      }
      Map<String, Integer> current = new HashMap<>();
      try (ResultSet rows = statement.executeQuery(
          "select key, version from chaos.config_entry where env = 'production' and not deleted")) {
        while (rows.next()) {
          current.put(rows.getString(1), rows.getInt(2));
        }
      }
      return unpublished == 0 && audited == changes - neverAudited && subscribers.states().stream().allMatch(current::equals);
    }
  }

  private void sampleLoad() {
    try {
      loads.add(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]));
    } catch (IOException | RuntimeException e) {
      // no /proc: no load figure
    }
  }

  private static String count(List<Faults.Injected> injected) {
    Map<Faults.Kind, Integer> counts = new java.util.EnumMap<>(Faults.Kind.class);
    injected.forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
    return counts.toString();
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
