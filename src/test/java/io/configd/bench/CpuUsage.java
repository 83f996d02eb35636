package io.configd.bench;

import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU used over one phase by the node, by this generator and by the whole machine (from /proc), so a
 * figure can be read against what else was running: other work on the same cores shows as machine
 * time that is neither the node's nor the generator's.
 */
final class CpuUsage {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private final String label;
  private final long[] nodePids;
  private final long start = System.nanoTime();
  private final double nodeStart;
  private final double generatorStart;
  private final long[] machineStart;
  private final Map<String, Map<Long, Double>> servicesStart;

  private CpuUsage(String label, long[] nodePids) {
    this.label = label;
    this.nodePids = nodePids;
    this.nodeStart = processSeconds(nodePids);
    this.generatorStart = generatorSeconds();
    this.machineStart = machine();
    this.servicesStart = services();
  }

  /** With several nodes, their CPU is added up. */
  static CpuUsage start(long... nodePids) {
    return new CpuUsage(nodePids.length > 1 ? nodePids.length + " nodes" : "node", nodePids);
  }

  /** Another system in the node's place (the peer), named so in the row; its figure is under nodeCpuSeconds. */
  static CpuUsage of(String label, long pid) {
    return new CpuUsage(label, new long[] {pid});
  }

  /**
   * The node's (or the peer's) CPU and the whole machine's busy CPU over the window per answered request, in ms,
   * printed and put in {@code usage}: the machine's figure is everything done for each request (PostgreSQL, Kafka,
   * Redis and the generator included).
   */
  void perAnswered(JsonObject usage, long answered) {
    double own = usage.getDouble("nodeCpuSeconds", 0.0) * 1000 / Math.max(1, answered);
    double machine = usage.getDouble("machineBusyCpuSeconds", 0.0) * 1000 / Math.max(1, answered);
    usage.put("cpuMillisPerRequest", Math.round(own * 1000) / 1000.0)
        .put("machineCpuMillisPerRequest", Math.round(machine * 1000) / 1000.0);
    Report.row("CPU per answered request", String.format(Locale.ROOT, "%s %.3f ms, whole machine %.3f ms", label, own,
        machine));
  }

  /** Prints the row and returns the figures since {@link #start}. */
  JsonObject stop() {
    return print(usage());
  }

  /** The figures since {@link #start}, not printed. */
  JsonObject usage() {
    double wall = (System.nanoTime() - start) / 1e9;
    double node = processSeconds(nodePids) - nodeStart;
    double generator = generatorSeconds() - generatorStart;
    long[] machine = machine();
    double busy = (machine[0] - machineStart[0]) / TICKS_PER_SECOND;
    double total = (machine[1] - machineStart[1]) / TICKS_PER_SECOND;
    JsonObject services = new JsonObject();
    services().forEach((service, now) -> services.put(service, round(now.entrySet().stream()
        .mapToDouble(each -> each.getValue() - servicesStart.getOrDefault(service, Map.of()).getOrDefault(each.getKey(), 0.0))
        .sum())));
    return new JsonObject().put("wallSeconds", round(wall)).put("nodeCpuSeconds", round(node))
        .put("generatorCpuSeconds", round(generator)).put("servicesCpuSeconds", services)
        .put("machineBusyCpuSeconds", round(busy))
        .put("machineBusyPercent", total > 0 ? round(100 * busy / total) : null)
        .put("loadAverage", Report.loadAverage());
  }

  /** The figures' row, for {@code json} as {@link #usage} gave it. */
  JsonObject print(JsonObject json) {
    double wall = json.getDouble("wallSeconds");
    double node = json.getDouble("nodeCpuSeconds");
    double generator = json.getDouble("generatorCpuSeconds");
    Report.row("CPU while writing and delivering", String.format(Locale.ROOT,
        "%s %.2f cores, generator %.2f cores, machine %s %% busy over %.1f s (load %s)", label, node / wall,
        generator / wall, json.getValue("machineBusyPercent"), wall, json.getString("loadAverage")));
    JsonObject services = json.getJsonObject("servicesCpuSeconds");
    Report.row("services' CPU meanwhile", String.join(", ", SERVICES.stream()
        .map(service -> String.format(Locale.ROOT, "%s %.2f cores", service, services.getDouble(service, 0.0) / wall))
        .toList()) + " (every process of each, whoever's)");
    return json;
  }

  /** The engines the node writes to, by the name their processes go by; each figure sums all of its processes. */
  private static final List<String> SERVICES = List.of("PostgreSQL", "Kafka broker", "Redis");

  /** For each service, its processes' CPU seconds so far, by pid: PostgreSQL's backends come and go. */
  private static Map<String, Map<Long, Double>> services() {
    Map<String, Map<Long, Double>> seconds = new HashMap<>();
    SERVICES.forEach(service -> seconds.put(service, new HashMap<>()));
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      processes.filter(dir -> dir.getFileName().toString().matches("\\d+")).forEach(dir -> {
        long pid = Long.parseLong(dir.getFileName().toString());
        String service = service(dir);
        if (service != null) {
          seconds.get(service).put(pid, processSeconds(pid));
        }
      });
    } catch (Exception e) {
      // no /proc: the row says 0
    }
    return seconds;
  }

  private static String service(Path process) {
    try {
      String comm = Files.readString(process.resolve("comm")).trim();
      if (comm.equals("postgres")) {
        return "PostgreSQL";
      }
      if (comm.equals("redis-server")) {
        return "Redis";
      }
      return comm.equals("java") && Files.readString(process.resolve("cmdline")).contains("kafka.Kafka") ? "Kafka broker"
          : null;
    } catch (Exception gone) {
      return null;
    }
  }

  private static double processSeconds(long[] pids) {
    double sum = 0;
    for (long pid : pids) {
      sum += processSeconds(pid);
    }
    return sum;
  }

  /** utime + stime of a process, from /proc/&lt;pid&gt;/stat (fields 14 and 15). */
  private static double processSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  private static double generatorSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  /** {busy, total} jiffies of all cores, from the first line of /proc/stat. */
  private static long[] machine() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length && i <= 8; i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
      return new long[] {total - idle, total};
    } catch (Exception e) {
      return new long[] {0, 0};
    }
  }

  /** Two decimals; null when /proc could not say (JSON has no NaN). */
  private static Double round(double value) {
    return Double.isNaN(value) ? null : Math.round(value * 100) / 100.0;
  }
}
