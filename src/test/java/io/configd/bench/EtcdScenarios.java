package io.configd.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The peer's side of {@code bin/bench --peer etcd}: the same writes as {@link WritesScenario} (a closed loop of
 * durable puts over 1,000 keys) and the same watchers as {@link PropagationScenario} (the same spread over one key, a
 * group prefix and the whole prefix, the same fixed-rate writes, timed from the put's 200 to each arrival), against
 * etcd's HTTP gateway.
 */
final class EtcdScenarios {

  private final Vertx vertx;
  private final EtcdPeer etcd;
  private final BenchOptions options;

  EtcdScenarios(Vertx vertx, EtcdPeer etcd, BenchOptions options) {
    this.vertx = vertx;
    this.etcd = etcd;
    this.options = options;
  }

  JsonObject writes(Report report, int concurrency) {
    JsonObject result = report.scenario("etcd-writes-c" + concurrency, String.format(
        "etcd: durable /v3/kv/put at concurrency %d for %s s over %d keys", concurrency, options.writeSeconds(),
        WritesScenario.KEYS));
    AtomicLong sequence = new AtomicLong();
    Supplier<Future<Integer>> put = () -> {
      long n = sequence.getAndIncrement();
      return etcd.put("bench.w.k" + (n % WritesScenario.KEYS), "{\"n\":" + n + "}").map(revision -> 200);
    };
    ClosedLoop.run(vertx, concurrency, options.writeWarmupSeconds(), 0, put, 200);
    CpuUsage cpu = CpuUsage.of("etcd", etcd.pid());
    ClosedLoop.Outcome outcome = ClosedLoop.run(vertx, concurrency, 0, options.writeSeconds(), put, 200);
    JsonObject used = cpu.usage();
    result.put("concurrency", concurrency).put("warmupSeconds", options.writeWarmupSeconds());
    outcome.report(result, String.format("%,.0f writes/s", outcome.throughput()), "put send → 200");
    cpu.print(used);
    cpu.perAnswered(used, outcome.ok() + outcome.errors());
    result.put("cpuDuringWrites", used);
    return result;
  }

  JsonObject propagation(Report report, int n) {
    JsonObject result = report.scenario("etcd-propagation-" + n, String.format(
        "etcd: %,d watchers over /v3/watch, %d puts at %s/s", n, options.writes(), options.rate()));
    List<Watcher> watchers = plan(n);
    HttpClient client = etcd.watchClient(n);
    try {
      long connectStart = System.nanoTime();
      int batch = options.connectBatch();
      for (int from = 0; from < n; from += batch) {
        List<Future<Void>> connecting = new ArrayList<>();
        for (Watcher w : watchers.subList(from, Math.min(n, from + batch))) {
          connecting.add(EtcdPeer.watch(client, w.key, w.prefix, w::arrived));
        }
        NodeUnderTest.await(Future.all(connecting), 300, "etcd watchers " + from + " to " + (from + batch));
      }
      Report.row("connected and watching", String.format("%,d watches in %.1f s", n, (System.nanoTime() - connectStart) / 1e9));
      long[][] writes = write();
      awaitArrivals(watchers, writes);
      analyse(result, watchers, writes);
      return result;
    } finally {
      client.close();
    }
  }

  private List<Watcher> plan(int n) {
    Random random = new Random(42);
    int[] spread = options.spread();
    List<Watcher> watchers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int bucket = i % 100;
      if (bucket < spread[0]) {
        int key = random.nextInt(100);
        watchers.add(new Watcher(PropagationScenario.key(key), false, key, -1));
      } else if (bucket < spread[0] + spread[1]) {
        int group = random.nextInt(10);
        watchers.add(new Watcher("bench.fan.g" + group + ".", true, -1, group));
      } else {
        watchers.add(new Watcher("bench.fan.", true, -1, -1));
      }
    }
    return watchers;
  }

  /** W puts at the fixed rate: {key, sent, acked, revision} each (revision -1: failed). */
  private long[][] write() {
    int count = options.writes();
    long[][] writes = new long[count][];
    long period = (long) (1e9 / options.rate());
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    CountDownLatch answered = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      long[] w = {i % 100, 0, 0, -1};
      writes[i] = w;
      long intended = start + i * period;
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      w[1] = System.nanoTime();
      etcd.put(PropagationScenario.key((int) w[0]), "{\"write\":" + i + "}").onComplete(done -> {
        w[2] = System.nanoTime();
        if (done.succeeded()) {
          w[3] = done.result();
        }
        answered.countDown();
      });
    }
    try {
      answered.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return writes;
  }

  private void awaitArrivals(List<Watcher> watchers, long[][] writes) {
    long expected = expected(watchers, writes);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    long last = -1;
    long lastProgress = System.nanoTime();
    while (System.nanoTime() < deadline && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(20)) {
      long count = watchers.stream().mapToLong(Watcher::arrivals).sum();
      if (count >= expected) {
        break;
      }
      if (count != last) {
        last = count;
        lastProgress = System.nanoTime();
      }
      NodeUnderTest.sleepMillis(50); // polling the arrival count, with the stall limit above
    }
    NodeUnderTest.sleepMillis(500); // as for configd: late frames count only within half a second
  }

  private static long expected(List<Watcher> watchers, long[][] writes) {
    long expected = 0;
    for (long[] w : writes) {
      if (w[3] >= 0) {
        for (Watcher watcher : watchers) {
          expected += watcher.covers((int) w[0]) ? 1 : 0;
        }
      }
    }
    return expected;
  }

  private void analyse(JsonObject result, List<Watcher> watchers, long[][] writes) {
    Map<Long, long[]> byRevision = new HashMap<>();
    long failed = 0;
    for (long[] w : writes) {
      if (w[3] >= 0) {
        byRevision.put(w[3], w);
      } else {
        failed++;
      }
    }
    Histogram fromAck = Report.newHistogram();
    long delivered = 0;
    long outOfOrder = 0;
    for (Watcher watcher : watchers) {
      synchronized (watcher) {
        long previous = -1;
        for (int i = 0; i < watcher.count; i++) {
          long revision = watcher.revisions[i];
          if (revision <= previous) {
            outOfOrder++;
          }
          previous = revision;
          long[] w = byRevision.get(revision);
          if (w != null && watcher.covers((int) w[0])) {
            delivered++;
            fromAck.recordValue(Math.max(0, (watcher.arrivals[i] - w[2]) / 1000));
          }
        }
      }
    }
    long expected = expected(watchers, writes);
    Report.row("delivered / expected", String.format("%,d / %,d%s", delivered, expected, delivered == expected ? "" : "  INCOMPLETE"));
    Report.row("in revision order", outOfOrder == 0 ? "yes" : "NO: " + outOfOrder + " arrivals out of order");
    Report.latencyHeader("ms");
    result.put("watchers", watchers.size()).put("writes", writes.length).put("failedWrites", failed)
        .put("expected", expected).put("delivered", delivered).put("outOfOrder", outOfOrder)
        .put("latencyMs", new JsonObject().put("fromPutAnswer", Report.latencyRow("put 200 → arrival", fromAck)));
  }

  private static final class Watcher {
    final String key;
    final boolean prefix;
    final int keyIndex;
    final int group;
    long[] revisions = new long[16];
    long[] arrivals = new long[16];
    int count;

    Watcher(String key, boolean prefix, int keyIndex, int group) {
      this.key = key;
      this.prefix = prefix;
      this.keyIndex = keyIndex;
      this.group = group;
    }

    boolean covers(int writeKey) {
      return keyIndex >= 0 ? keyIndex == writeKey : group < 0 || writeKey % 10 == group;
    }

    synchronized int arrivals() {
      return count;
    }

    synchronized void arrived(long revision) {
      if (count == revisions.length) {
        revisions = Arrays.copyOf(revisions, count * 2);
        arrivals = Arrays.copyOf(arrivals, count * 2);
      }
      revisions[count] = revision;
      arrivals[count] = System.nanoTime();
      count++;
    }
  }
}
