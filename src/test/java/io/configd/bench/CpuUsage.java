package io.configd.bench;

import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * CPU used over one phase by the node, by this generator and by the whole machine (from /proc), so a
 * figure can be read against what else was running: other work on the same cores shows as machine
 * time that is neither the node's nor the generator's.
 */
final class CpuUsage {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private final long[] nodePids;
  private final long start = System.nanoTime();
  private final double nodeStart;
  private final double generatorStart;
  private final long[] machineStart;

  private CpuUsage(long[] nodePids) {
    this.nodePids = nodePids;
    this.nodeStart = processSeconds(nodePids);
    this.generatorStart = generatorSeconds();
    this.machineStart = machine();
  }

  /** With several nodes, their CPU is added up. */
  static CpuUsage start(long... nodePids) {
    return new CpuUsage(nodePids);
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
    return new JsonObject().put("wallSeconds", round(wall)).put("nodeCpuSeconds", round(node))
        .put("generatorCpuSeconds", round(generator)).put("machineBusyPercent", total > 0 ? round(100 * busy / total) : null)
        .put("loadAverage", Report.loadAverage());
  }

  /** The figures' row, for {@code json} as {@link #usage} gave it. */
  JsonObject print(JsonObject json) {
    double wall = json.getDouble("wallSeconds");
    double node = json.getDouble("nodeCpuSeconds");
    double generator = json.getDouble("generatorCpuSeconds");
    String nodes = nodePids.length > 1 ? nodePids.length + " nodes" : "node";
    Report.row("CPU while writing and delivering", String.format(Locale.ROOT,
        "%s %.2f cores, generator %.2f cores, machine %s %% busy over %.1f s (load %s)", nodes, node / wall,
        generator / wall, json.getValue("machineBusyPercent"), wall, json.getString("loadAverage")));
    return json;
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
