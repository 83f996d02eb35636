package io.configd.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run: printed as a table on stdout as they come, and kept as JSON for
 * bench-results/. Latencies are recorded in microseconds and reported in milliseconds.
 */
final class Report {

  private static final String LATENCY_ROW = "  %-34s %9s %9s %9s %9s %9s %9s%n";

  final JsonObject json = new JsonObject();
  private final JsonObject scenarios = new JsonObject();
  private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));

  Report(BenchOptions options) {
    json.put("command", options.command()).put("startedAt", LocalDateTime.now().toString())
        .put("machine", machine()).put("loadAverageAtStart", loadAverage()).put("scenarios", scenarios);
    System.out.println("configd bench  " + json.getString("startedAt"));
    System.out.println("command:  " + options.command());
    JsonObject m = json.getJsonObject("machine");
    System.out.printf("machine:  %d cores (%s), %s MB memory, %s; generator JVM %s%n", m.getInteger("cores"),
        m.getString("cpu"), m.getLong("memoryMb"), m.getString("os"), m.getString("jvm"));
    System.out.println("load:     " + json.getString("loadAverageAtStart") + "  (1, 5, 15 min, at start)");
  }

  void node(JsonObject node) {
    json.put("node", node);
    System.out.println("node:     " + node.encode());
  }

  /** Another node of the run: a clustered node 2..K, or a node a reads variant started for itself. */
  void otherNode(JsonObject node) {
    JsonArray others = json.getJsonArray("otherNodes");
    if (others == null) {
      others = new JsonArray();
      json.put("otherNodes", others);
    }
    others.add(node);
    System.out.println("node:     " + node.encode());
  }

  JsonObject scenario(String name, String title) {
    JsonObject scenario = new JsonObject().put("loadAverageAtStart", loadAverage());
    scenarios.put(name, scenario);
    System.out.println();
    System.out.println("== " + name + ": " + title + "  (load " + scenario.getString("loadAverageAtStart") + ")");
    return scenario;
  }

  static void row(String label, Object value) {
    System.out.printf("  %-34s %s%n", label, value);
  }

  static void latencyHeader(String unit) {
    System.out.printf(LATENCY_ROW, "latency (" + unit + ")", "count", "p50", "p90", "p99", "p99.9", "max");
  }

  /** Prints one latency row and returns its figures in milliseconds. */
  static JsonObject latencyRow(String label, Histogram micros) {
    JsonObject figures = latency(micros);
    if (micros.getTotalCount() == 0) {
      System.out.printf(LATENCY_ROW, label, "0", "-", "-", "-", "-", "-");
    } else {
      System.out.printf(LATENCY_ROW, label, micros.getTotalCount(), ms(figures.getDouble("p50")),
          ms(figures.getDouble("p90")), ms(figures.getDouble("p99")), ms(figures.getDouble("p999")),
          ms(figures.getDouble("max")));
    }
    return figures;
  }

  static JsonObject latency(Histogram micros) {
    JsonObject figures = new JsonObject().put("count", micros.getTotalCount());
    if (micros.getTotalCount() > 0) {
      figures.put("p50", millis(micros.getValueAtPercentile(50)))
          .put("p90", millis(micros.getValueAtPercentile(90)))
          .put("p99", millis(micros.getValueAtPercentile(99)))
          .put("p999", millis(micros.getValueAtPercentile(99.9)))
          .put("max", millis(micros.getMaxValue()))
          .put("mean", Math.round(micros.getMean()) / 1000.0);
    }
    return figures;
  }

  static Histogram newHistogram() {
    return new Histogram(3_600_000_000L, 3);
  }

  void finish(JsonObject nodeAfter) {
    json.put("loadAverageAtEnd", loadAverage()).put("finishedAt", LocalDateTime.now().toString());
    if (nodeAfter != null) {
      json.put("nodeAtEnd", nodeAfter);
    }
    System.out.println();
    System.out.println("load:     " + json.getString("loadAverageAtEnd") + "  (at end)");
  }

  Path write(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(name + "-" + stamp + ".json");
    Files.writeString(file, json.encodePrettily() + "\n");
    return file;
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static JsonObject machine() {
    return new JsonObject()
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("cpu", procField("/proc/cpuinfo", "model name", "unknown"))
        .put("memoryMb", Long.parseLong(procField("/proc/meminfo", "MemTotal", "0 kB").split("\\s+")[0]) / 1024)
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("fileDescriptorLimit", fileDescriptorLimit());
  }

  /** The first "name: value" line of a /proc file. */
  static String procField(String file, String name, String fallback) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(name)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux: say so with the fallback
    }
    return fallback;
  }

  private static Object fileDescriptorLimit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return null;
  }

  static String ms(double millis) {
    return String.format(Locale.ROOT, millis < 10 ? "%.3f" : millis < 1000 ? "%.1f" : "%.0f", millis);
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }

  static JsonArray array(int... values) {
    JsonArray array = new JsonArray();
    for (int value : values) {
      array.add(value);
    }
    return array;
  }
}
