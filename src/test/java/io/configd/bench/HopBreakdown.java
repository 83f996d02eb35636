package io.configd.bench;

import io.configd.stream.HopTrace;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where the time from a write's 200 to a subscriber's socket goes, per write, from the stamps the node puts in its
 * change frames when {@code bridge.traceHops} is on (header configd-trace: NOTIFY heard, sent to Kafka, read from
 * Kafka, released in revision order, frame written; wall-clock microseconds of the node, which runs on this machine)
 * and the generator's own times of the 200 and of the write's first arrival. A hop may be negative: the NOTIFY is
 * heard at the commit, often before the 200 has reached the generator.
 */
final class HopBreakdown {

  static final String[] HOPS = {
      "PUT 200 → NOTIFY heard (publisher)",
      "NOTIFY → sent to Kafka (relay)",
      "sent → read from Kafka (propagation)",
      "read → released (revision order)",
      "released → frame written (bus, fan-out)",
      "written → first arrival (socket)",
  };
  private static final String[] KEYS = {"putAnswerToNotify", "notifyToSent", "sentToConsumed", "consumedToReleased",
      "releasedToWritten", "writtenToArrival"};

  /** The generator's nanoTime and the wall clock in microseconds, read together once. */
  private final long nanoOrigin = System.nanoTime();
  private final long wallOrigin = HopTrace.nowMicros();
  private final long[][] hops;
  private int count;

  HopBreakdown(int writes) {
    hops = new long[HOPS.length][writes];
  }

  long wallMicros(long nanoTime) {
    return wallOrigin + (nanoTime - nanoOrigin) / 1000;
  }

  /** One write: its 200 and first arrival (generator nanoTime) and the frame's trace "n,s,c,r,w". */
  void add(long ackedNanos, long firstArrivalNanos, String trace) {
    String[] parts = trace.split(",");
    if (parts.length != 5) {
      return;
    }
    long[] t = new long[5];
    for (int i = 0; i < 5; i++) {
      t[i] = Long.parseLong(parts[i]);
    }
    if (t[0] == 0 || t[1] == 0) {
      return; // read from the change log after a gap, or relayed by a node that does not stamp: no relay times
    }
    hops[0][count] = t[0] - wallMicros(ackedNanos);
    for (int i = 1; i < 5; i++) {
      hops[i][count] = t[i] - t[i - 1];
    }
    hops[5][count] = wallMicros(firstArrivalNanos) - t[4];
    count++;
  }

  int count() {
    return count;
  }

  /** Prints the breakdown (p50, p90, p99, max per hop) and returns it in milliseconds. */
  JsonObject print() {
    JsonObject json = new JsonObject().put("writesTraced", count);
    System.out.printf("  %-40s %9s %9s %9s %9s %9s%n", "per-hop breakdown (ms), first arrival", "count", "p50", "p90",
        "p99", "max");
    for (int h = 0; h < HOPS.length; h++) {
      long[] sorted = Arrays.copyOf(hops[h], count);
      Arrays.sort(sorted);
      JsonObject figures = new JsonObject().put("count", count);
      if (count > 0) {
        figures.put("p50", ms(at(sorted, 50))).put("p90", ms(at(sorted, 90))).put("p99", ms(at(sorted, 99)))
            .put("max", ms(sorted[count - 1]));
      }
      json.put(KEYS[h], figures);
      System.out.printf("  %-40s %9d %9s %9s %9s %9s%n", HOPS[h], count, text(figures, "p50"), text(figures, "p90"),
          text(figures, "p99"), text(figures, "max"));
    }
    return json;
  }

  private static long at(long[] sorted, double percentile) {
    int index = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  private static String text(JsonObject figures, String name) {
    Double value = figures.getDouble(name);
    return value == null ? "-" : String.format(Locale.ROOT, "%.2f", value);
  }
}
