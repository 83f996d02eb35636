package io.configd.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak's memory samples: every period, each node's heap after a full GC (its live set) and its resident set,
 * on a thread of its own (jcmd blocks); at the end the growth from the first sample to the last and the
 * least-squares slope per minute over all samples (flat is the target).
 */
final class SoakSampler {

  record Sample(double seconds, long heapUsed, Long rssKb) {
  }

  private final List<NodeUnderTest> nodes;
  private final long periodMillis;
  private final List<List<Sample>> samples = new ArrayList<>();
  private final Thread thread;
  private final long start = System.nanoTime();
  private volatile boolean running = true;

  private SoakSampler(List<NodeUnderTest> nodes, long periodMillis) {
    this.nodes = nodes;
    this.periodMillis = periodMillis;
    nodes.forEach(node -> samples.add(new ArrayList<>()));
    this.thread = new Thread(this::loop, "bench-soak-sampler");
    thread.setDaemon(true);
  }

  static SoakSampler start(List<NodeUnderTest> nodes, long periodMillis) {
    SoakSampler sampler = new SoakSampler(nodes, periodMillis);
    sampler.sample();
    sampler.thread.start();
    return sampler;
  }

  private void loop() {
    long next = System.nanoTime() + periodMillis * 1_000_000;
    while (running) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        NodeUnderTest.sleepMillis(Math.max(1, wait / 1_000_000)); // the sampling period
        continue;
      }
      sample();
      next += periodMillis * 1_000_000;
    }
  }

  private synchronized void sample() {
    double seconds = (System.nanoTime() - start) / 1e9;
    for (int i = 0; i < nodes.size(); i++) {
      try {
        NodeUnderTest.Memory memory = nodes.get(i).memory();
        samples.get(i).add(new Sample(seconds, memory.heapUsed(), memory.rssKb()));
      } catch (RuntimeException e) {
        System.err.println("bench: soak sample of " + nodes.get(i).name() + " failed: " + e);
      }
    }
  }

  /** Takes the last sample, stops, and puts the figures (and a row per node) in the report. */
  void finish(JsonObject result) {
    running = false;
    try {
      thread.join(180_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
    JsonArray perNode = new JsonArray();
    for (int i = 0; i < nodes.size(); i++) {
      List<Sample> list = samples.get(i);
      if (list.size() < 2) {
        continue;
      }
      Sample first = list.get(0);
      Sample last = list.get(list.size() - 1);
      double heapSlope = slopePerMinute(list, true);
      double rssSlope = first.rssKb() == null ? Double.NaN : slopePerMinute(list, false);
      JsonArray raw = new JsonArray();
      list.forEach(s -> raw.add(new JsonObject().put("seconds", Math.round(s.seconds())).put("heapUsedBytes", s.heapUsed())
          .put("rssKb", s.rssKb())));
      perNode.add(new JsonObject().put("node", nodes.get(i).name()).put("samples", raw)
          .put("heapGrowthBytes", last.heapUsed() - first.heapUsed())
          .put("rssGrowthKb", first.rssKb() == null ? null : last.rssKb() - first.rssKb())
          .put("heapSlopeKbPerMinute", heapSlope).put("rssSlopeKbPerMinute", Double.isNaN(rssSlope) ? null : rssSlope));
      Report.row(nodes.get(i).name() + " heap after full GC", String.format(
          "%,d → %,d KB over %.0f s (%d samples): %+,d KB, slope %+.1f KB/min", first.heapUsed() / 1024,
          last.heapUsed() / 1024, last.seconds() - first.seconds(), list.size(), (last.heapUsed() - first.heapUsed()) / 1024,
          heapSlope));
      if (first.rssKb() != null) {
        Report.row(nodes.get(i).name() + " resident (VmRSS)", String.format("%,d → %,d KB: %+,d KB, slope %+.1f KB/min",
            first.rssKb(), last.rssKb(), last.rssKb() - first.rssKb(), rssSlope));
      }
      StringBuilder series = new StringBuilder();
      for (Sample s : list) {
        series.append(String.format("%s%.0f", series.length() == 0 ? "" : " ", s.heapUsed() / 1048576.0));
      }
      Report.row("  heap MB every " + periodMillis / 1000 + " s", series.toString());
    }
    result.put("soak", new JsonObject().put("samplePeriodSeconds", periodMillis / 1000).put("perNode", perNode));
  }

  private static double slopePerMinute(List<Sample> list, boolean heap) {
    double n = list.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Sample s : list) {
      double x = s.seconds() / 60;
      double y = heap ? s.heapUsed() / 1024.0 : s.rssKb();
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double denominator = n * sxx - sx * sx;
    return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
  }
}
