package io.configd.bench;

import io.configd.model.Targeting;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * N WebSocket subscribers spread over keys, group prefixes and the whole bench prefix; W writes at a
 * fixed rate. Every (write, subscriber) pair is matched by revision and timed from the PUT's 200,
 * from the PUT's send and from its intended send time (the last one is free of coordinated
 * omission: a stalled generator cannot hide latency by sending late). With several (clustered) nodes the
 * subscribers are spread over them round-robin, every write goes through node 1, and the figures are given
 * overall and per node.
 */
final class PropagationScenario {

  private static final int GROUPS = 10;
  private static final int KEYS = 100;
  private static final String PREFIX = "bench.fan";
  /** The key of the gray release in flight (--gray): only the whole-prefix subscribers watch it. */
  private static final String GRAY_KEY = PREFIX + ".gray.flag";
  private static final long PING_MILLIS = 20_000;
  private static final String REC = "{\"type\":\"rec\",\"address\":\"config.";

  private final Vertx vertx;
  private final List<NodeUnderTest> nodes;
  /** Takes every write; with one node, also every subscriber. */
  private final NodeUnderTest node;
  private final BenchOptions options;
  private final AtomicLong arrivals = new AtomicLong();
  /** The trace of each revision's first traced frame (bridge.traceHops), for the per-hop breakdown. */
  private final Map<Long, String> traces = new java.util.concurrent.ConcurrentHashMap<>();
  private static final String TRACE = "\"configd-trace\":\"";
  /** Revisions up to this one are the warm-up's: the subscribers ignore them (-1: no warm-up). */
  private volatile long measuredAfter = -1;

  PropagationScenario(Vertx vertx, List<NodeUnderTest> nodes, BenchOptions options) {
    this.vertx = vertx;
    this.nodes = nodes;
    this.node = nodes.get(0);
    this.options = options;
  }

  static String key(int index) {
    return PREFIX + ".g" + (index % GROUPS) + ".k" + index;
  }

  /** The figures of the last run (for the comparison with a peer). */
  JsonObject result;

  /** Returns whether every change reached every subscriber it should have. */
  boolean run(Report report) {
    return run(report, false, "propagation");
  }

  boolean run(Report report, String name) {
    return run(report, false, name);
  }

  /**
   * The soak: the same subscribers and rate for {@code --minutes}, each node's heap (after a full GC) and resident
   * set sampled every 10 s from the first write to the last arrival; whether every change arrived, as in run.
   */
  boolean soak(Report report) {
    return run(report, true, "soak");
  }

  private boolean run(Report report, boolean soak, String name) {
    int n = options.subscribers();
    int writeCount = soak ? (int) Math.round(options.rate() * 60 * options.soakMinutes()) : options.writes();
    JsonObject result = report.scenario(name, String.format("%,d subscribers, %d writes at %s/s%s%s", n,
        writeCount, options.rate(), soak ? String.format(" (%.1f minutes)", options.soakMinutes()) : "",
        nodes.size() > 1 ? ", " + nodes.size() + " clustered nodes, writes through " + node.name() : ""));
    this.result = result;
    result.put("nodes", nodes.size());
    result.put("subscribers", n).put("writes", writeCount).put("subscribersOfferDeflate", options.deflate()).put("ratePerSecond", options.rate())
        .put("spreadKeyGroupAll", Report.array(options.spread())).put("keys", KEYS).put("groups", GROUPS);

    List<Subscriber> subscribers = plan(n);
    Long rollout = options.gray() > 0 ? startGray(result) : null;
    List<NodeUnderTest.Memory> before = nodes.stream().map(NodeUnderTest::memory).toList();
    WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(n + 16)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(8 << 20).setConnectTimeout(30_000)
        .setTryUsePerMessageCompression(options.deflate()));
    long pinger = -1;
    try {
      long connectStart = System.nanoTime();
      connect(sockets, subscribers);
      double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
      pinger = vertx.setPeriodic(PING_MILLIS, id -> subscribers.forEach(Subscriber::ping));
      List<NodeUnderTest.Memory> after = nodes.stream().map(NodeUnderTest::memory).toList();
      long connected = 0;
      JsonObject bridges = new JsonObject();
      for (NodeUnderTest each : nodes) {
        JsonObject bridge = each.getJson("/v1/stats/bridge");
        connected += bridge.getLong("connected");
        bridges.put(each.name(), bridge);
      }
      Report.row("connected and subscribed", String.format("%,d sockets in %.1f s (the node%s report %d connected)", n,
          connectSeconds, nodes.size() > 1 ? "s" : "", connected));
      result.put("connectSeconds", connectSeconds).put("bridgeAfterConnect", nodes.size() == 1 ? bridges.getJsonObject(node.name()) : bridges);
      memory(result, before, after, subscribers);

      List<JsonObject> fresh = jvms();
      if (!soak && options.propagationWarmupSeconds() > 0) {
        warmUp();
      }
      List<JsonObject> warmed = jvms();
      CpuUsage cpu = CpuUsage.start(nodes.stream().mapToLong(NodeUnderTest::pid).toArray());
      SoakSampler sampler = soak ? SoakSampler.start(nodes, 10_000) : null;
      Write[] writes = write(writeCount);
      awaitArrivals(subscribers, writes);
      warmth(result, fresh, warmed, jvms());
      if (sampler != null) {
        sampler.finish(result);
      }
      boolean complete = analyse(result, subscribers, writes);
      result.put("cpuDuringWrites", cpu.stop());
      if (rollout != null) {
        complete &= grayReach(result, subscribers, rollout);
      }
      return complete;
    } finally {
      if (rollout != null) {
        abortGray(rollout);
      }
      vertx.cancelTimer(pinger);
      List<Future<Void>> closing = new ArrayList<>();
      subscribers.forEach(s -> {
        if (s.ws != null) {
          closing.add(s.ws.close().recover(e -> Future.succeededFuture()));
        }
      });
      Future.join(closing).eventually(() -> sockets.close()).toCompletionStage().toCompletableFuture()
          .completeOnTimeout(null, 30, TimeUnit.SECONDS).join();
    }
  }

  /**
   * The gray release in flight: GRAY_KEY released as "off", then "on" for --gray percent of the instances (by the
   * stable hash of their ids); a live rollout left over from an interrupted run is aborted first.
   */
  private long startGray(JsonObject result) {
    NodeUnderTest.await(node.call(HttpMethod.PUT, "/v1/config/" + GRAY_KEY + "?env=" + options.env(),
        new JsonObject().put("value", "off").encode()), 30, "writing " + GRAY_KEY);
    JsonObject live = NodeUnderTest.await(node.call(HttpMethod.GET, "/v1/rollouts?env=" + options.env() + "&prefix="
        + GRAY_KEY + "&state=active", null), 30, "listing live rollouts").json();
    live.getJsonArray("items").forEach(item -> abortGray(((JsonObject) item).getLong("id")));
    NodeUnderTest.Response started = NodeUnderTest.await(node.call(HttpMethod.POST, "/v1/rollouts?env=" + options.env(),
        new JsonObject().put("key", GRAY_KEY).put("value", "on").put("percentage", options.gray())
            .put("comment", "bin/bench --gray").encode()), 30, "starting the gray release");
    if (started.status() != 201) {
      throw new IllegalStateException("the gray release was refused: " + started.status() + " " + started.body());
    }
    long id = started.json().getLong("id");
    result.put("grayRelease", new JsonObject().put("id", id).put("key", GRAY_KEY).put("percentage", options.gray()));
    Report.row("gray release in flight", String.format("rollout %d: %s on for %s %% of the instances", id, GRAY_KEY,
        options.gray()));
    return id;
  }

  /**
   * The share of the fleet the gray release reached: the instances watching its key that its targeting names (by the
   * same stable hash as the node), and whether exactly those got "on" in their snapshot, and every other "off".
   */
  private boolean grayReach(JsonObject result, List<Subscriber> subscribers, long rollout) {
    Targeting targeting = new Targeting(null, Targeting.basisPoints(options.gray(), "--gray"));
    int watching = 0;
    int targeted = 0;
    int targetedOn = 0;
    int untargetedOn = 0;
    int unknown = 0;
    for (Subscriber s : subscribers) {
      if (s.key >= 0 || s.group >= 0) {
        continue; // only the whole-prefix subscribers watch the gray key
      }
      watching++;
      boolean aimed = targeting.matches(GRAY_KEY, s.instance, Map.of("zone", "eu-1"));
      targeted += aimed ? 1 : 0;
      if (s.gray == null) {
        unknown++;
      } else if (s.gray && aimed) {
        targetedOn++;
      } else if (s.gray) {
        untargetedOn++;
      }
    }
    boolean exact = unknown == 0 && targetedOn == targeted && untargetedOn == 0;
    JsonObject counted = NodeUnderTest.await(node.call(HttpMethod.GET, "/v1/rollouts/" + rollout, null), 30,
        "reading rollout " + rollout).json().getJsonObject("instances", new JsonObject());
    result.getJsonObject("grayRelease").put("watching", watching).put("targeted", targeted)
        .put("targetedReceived", targetedOn).put("untargetedReceived", untargetedOn).put("snapshotUnread", unknown)
        .put("exactlyTheTargeted", exact).put("nodeCounts", counted);
    Report.row("gray release reached", String.format("%,d of %,d instances watching %s targeted (%.2f %%, asked %s %%): "
            + "%,d of them got \"on\", %,d others did%s; %s (the node counts %s targeted, %s on it by their acks)",
        targeted, watching, GRAY_KEY, watching == 0 ? 0 : 100.0 * targeted / watching, options.gray(), targetedOn,
        untargetedOn, unknown > 0 ? String.format(", %,d snapshots without the key", unknown) : "",
        exact ? "exactly the targeted instances" : "NOT exactly the targeted instances",
        counted.getValue("targeted"), counted.getValue("onRollout")));
    return exact;
  }

  private void abortGray(long id) {
    NodeUnderTest.await(node.call(HttpMethod.POST, "/v1/rollouts/" + id + "/abort",
        new JsonObject().put("reason", "bin/bench done").encode()), 30, "aborting rollout " + id);
  }

  /** Who subscribes to what: a fixed seed, so every run subscribes the same way. */
  private List<Subscriber> plan(int n) {
    Random random = new Random(42);
    int[] spread = options.spread();
    List<Subscriber> subscribers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int bucket = i % 100;
      Subscriber s;
      if (bucket < spread[0]) {
        int key = random.nextInt(KEYS);
        s = new Subscriber("config." + options.env() + "." + key(key), key, -1);
      } else if (bucket < spread[0] + spread[1]) {
        int group = random.nextInt(GROUPS);
        s = new Subscriber("config." + options.env() + "." + PREFIX + ".g" + group, -1, group);
      } else {
        s = new Subscriber("config." + options.env() + "." + PREFIX, -1, -1);
      }
      s.node = i % nodes.size();
      s.instance = options.gray() > 0 ? "bench-" + i : null;
      subscribers.add(s);
    }
    return subscribers;
  }

  /** Connects in batches; each socket registers, then asks for its snapshot: the reply proves the registration. */
  private void connect(WebSocketClient sockets, List<Subscriber> subscribers) {
    List<WebSocketConnectOptions> where = nodes.stream().map(each -> new WebSocketConnectOptions()
        .setHost(each.host()).setPort(each.port()).setURI("/eventbus/websocket")
        .addHeader("Authorization", each.authorization())).toList(); // the bridge takes it on the upgrade
    int batch = options.connectBatch();
    for (int from = 0; from < subscribers.size(); from += batch) {
      List<Future<Void>> connecting = new ArrayList<>();
      for (Subscriber s : subscribers.subList(from, Math.min(subscribers.size(), from + batch))) {
        connecting.add(sockets.connect(where.get(s.node)).compose(ws -> s.subscribe(ws)));
      }
      NodeUnderTest.await(Future.all(connecting), 300, "connecting subscribers " + from + " to " + (from + batch));
    }
  }

  /**
   * The warm-up: --propagation-warmup seconds of the same writes at the same rate, to the same keys and subscribers,
   * so that the change path is compiled (C2) before the measured writes, whichever subscriber count comes first on
   * the node. Their arrivals are not counted: the subscribers ignore every revision up to the warm-up's last.
   */
  private void warmUp() {
    int count = Math.max(1, (int) Math.round(options.rate() * options.propagationWarmupSeconds()));
    Report.row("warm-up (not measured)", String.format("%d writes at %s/s to the same keys, their arrivals ignored",
        count, options.rate()));
    long last = -1;
    for (Write w : write(count)) {
      last = Math.max(last, w.revision);
    }
    measuredAfter = last;
  }

  private List<JsonObject> jvms() {
    return Warmth.jvms(nodes);
  }

  private void warmth(JsonObject result, List<JsonObject> fresh, List<JsonObject> warmed, List<JsonObject> end) {
    Warmth.report(result, nodes, measuredAfter < 0 ? 0 : options.propagationWarmupSeconds(), fresh, warmed, end)
        .put("measuredAfterRevision", measuredAfter);
  }

  /** Heap and resident memory per subscriber: overall (every node's growth over every subscriber) and per node. */
  private void memory(JsonObject result, List<NodeUnderTest.Memory> before, List<NodeUnderTest.Memory> after,
                      List<Subscriber> subscribers) {
    int[] perNode = new int[nodes.size()];
    subscribers.forEach(s -> perNode[s.node]++);
    long heapGrowth = 0;
    long rssGrowthKb = 0;
    boolean rssKnown = true;
    boolean gcForced = true;
    JsonObject byNode = new JsonObject();
    for (int i = 0; i < nodes.size(); i++) {
      NodeUnderTest.Memory b = before.get(i);
      NodeUnderTest.Memory a = after.get(i);
      heapGrowth += a.heapUsed() - b.heapUsed();
      gcForced &= a.gcForced();
      JsonObject one = new JsonObject().put("subscribers", perNode[i]).put("before", b.toJson()).put("after", a.toJson())
          .put("heapBytesPerSubscriber", Math.round((a.heapUsed() - b.heapUsed()) / (double) Math.max(1, perNode[i])));
      if (b.rssKb() != null && a.rssKb() != null) {
        rssGrowthKb += a.rssKb() - b.rssKb();
        one.put("rssBytesPerSubscriber", Math.round((a.rssKb() - b.rssKb()) * 1024.0 / Math.max(1, perNode[i])));
      } else {
        rssKnown = false;
      }
      byNode.put(nodes.get(i).name(), one);
    }
    int n = subscribers.size();
    double heapPer = heapGrowth / (double) n;
    JsonObject memory = nodes.size() == 1
        ? new JsonObject().put("before", before.get(0).toJson()).put("after", after.get(0).toJson())
        : new JsonObject().put("perNode", byNode);
    memory.put("heapBytesPerSubscriber", Math.round(heapPer));
    String rss = "unknown (no /proc entry for the node)";
    if (rssKnown) {
      double rssPer = rssGrowthKb * 1024.0 / n;
      memory.put("rssBytesPerSubscriber", Math.round(rssPer));
      rss = nodes.size() == 1
          ? String.format("%,d → %,d KB: %.1f KB per subscriber", before.get(0).rssKb(), after.get(0).rssKb(), rssPer / 1024)
          : String.format("+%,d KB over %d nodes: %.1f KB per subscriber", rssGrowthKb, nodes.size(), rssPer / 1024);
    }
    result.put("memory", memory);
    Report.row("node resident memory (VmRSS)", rss);
    Report.row("node heap used" + (gcForced ? " (after full GC)" : " (no GC forced)"), nodes.size() == 1
        ? String.format("%,d → %,d KB: %.1f KB per subscriber", before.get(0).heapUsed() / 1024,
            after.get(0).heapUsed() / 1024, heapPer / 1024)
        : String.format("+%,d KB over %d nodes: %.1f KB per subscriber", heapGrowth / 1024, nodes.size(), heapPer / 1024));
    if (nodes.size() > 1) {
      for (int i = 0; i < nodes.size(); i++) {
        JsonObject one = byNode.getJsonObject(nodes.get(i).name());
        Report.row("  " + nodes.get(i).name() + " memory", String.format("%,d subscribers: heap %.1f KB, resident %s KB per subscriber",
            perNode[i], one.getLong("heapBytesPerSubscriber") / 1024.0,
            one.containsKey("rssBytesPerSubscriber") ? String.format("%.1f", one.getLong("rssBytesPerSubscriber") / 1024.0) : "?"));
      }
    }
  }

  private static final class Write {
    final int index;
    final int key;
    long intended;
    long sent;
    long acked;
    long revision = -1;
    int status;
    long firstArrival = Long.MAX_VALUE;
    long lastArrival = Long.MIN_VALUE;

    Write(int index, int key) {
      this.index = index;
      this.key = key;
    }
  }

  /** Sends W writes at the fixed rate from this thread; each PUT's answer is handled asynchronously. */
  private Write[] write(int count) {
    Write[] writes = new Write[count];
    long period = (long) (1e9 / options.rate());
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    AtomicInteger answered = new AtomicInteger();
    CountDownLatch allAnswered = new CountDownLatch(writes.length);
    for (int i = 0; i < writes.length; i++) {
      Write w = new Write(i, i % KEYS);
      writes[i] = w;
      w.intended = start + i * period;
      long wait;
      while ((wait = w.intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      w.sent = System.nanoTime();
      node.call(HttpMethod.PUT, "/v1/config/" + key(w.key) + "?env=" + options.env(),
              new JsonObject().put("value", new JsonObject().put("write", i).put("at", System.currentTimeMillis()))
                  .encode())
          .onComplete(done -> {
            if (done.succeeded()) {
              w.acked = done.result().arrivedNanos();
              w.status = done.result().status();
              if (w.status / 100 == 2) {
                w.revision = done.result().json().getLong("revision");
              }
            }
            answered.incrementAndGet();
            allAnswered.countDown();
          });
    }
    try {
      // Unanswered writes after a minute are reported by the analysis, not waited for.
      allAnswered.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return writes;
  }

  /** Waits until every expected arrival is in, or nothing has arrived for 20 s (at most 5 minutes). */
  private void awaitArrivals(List<Subscriber> subscribers, Write[] writes) {
    long expected = expected(subscribers, writes);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    long lastCount = -1;
    long lastProgress = System.nanoTime();
    while (arrivals.get() < expected && System.nanoTime() < deadline
        && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(20)) {
      long count = arrivals.get();
      if (count != lastCount) {
        lastCount = count;
        lastProgress = System.nanoTime();
      }
      NodeUnderTest.sleepMillis(50); // the polling interval: arrivals are counted, and a stall of 20 s ends the wait
    }
    // A measurement window, not a wait for an event: frames still in flight (duplicates, strays) count in
    // the analysis only if they arrive within half a second after the last expected one.
    NodeUnderTest.sleepMillis(500);
  }

  private static long expected(List<Subscriber> subscribers, Write[] writes) {
    long expected = 0;
    for (Write w : writes) {
      if (w.revision >= 0) {
        for (Subscriber s : subscribers) {
          expected += s.covers(w.key) ? 1 : 0;
        }
      }
    }
    return expected;
  }

  private boolean analyse(JsonObject result, List<Subscriber> subscribers, Write[] writes) {
    arrivals.get(); // a volatile read: every frame counted so far is visible to this thread
    Map<Long, Write> byRevision = new HashMap<>();
    int failedWrites = 0;
    Histogram put = Report.newHistogram();
    Histogram sendLag = Report.newHistogram();
    for (Write w : writes) {
      if (w.revision >= 0) {
        byRevision.put(w.revision, w);
        put.recordValue(micros(w.acked - w.sent));
        sendLag.recordValue(micros(w.sent - w.intended));
      } else {
        failedWrites++;
      }
    }
    Histogram fromAck = Report.newHistogram();
    Histogram fromSend = Report.newHistogram();
    Histogram fromIntended = Report.newHistogram();
    Histogram[] fromAckByNode = new Histogram[nodes.size()];
    long[] deliveredByNode = new long[nodes.size()];
    long[] expectedByNode = new long[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      fromAckByNode[i] = Report.newHistogram();
    }
    for (Write w : writes) {
      if (w.revision >= 0) {
        for (Subscriber s : subscribers) {
          expectedByNode[s.node] += s.covers(w.key) ? 1 : 0;
        }
      }
    }
    long delivered = 0;
    long duplicates = 0;
    long unmatched = 0;
    long misrouted = 0;
    long beforeAck = 0;
    long errors = 0;
    for (Subscriber s : subscribers) {
      errors += s.errors;
      BitSet seen = new BitSet(writes.length);
      for (int i = 0; i < s.count; i++) {
        Write w = byRevision.get(s.revisions[i]);
        if (w == null) {
          unmatched++;
          continue;
        }
        if (!s.covers(w.key)) {
          misrouted++;
          continue;
        }
        if (seen.get(w.index)) {
          duplicates++;
          continue;
        }
        seen.set(w.index);
        delivered++;
        long arrived = s.arrivals[i];
        if (arrived < w.acked) {
          beforeAck++;
        }
        w.firstArrival = Math.min(w.firstArrival, arrived);
        w.lastArrival = Math.max(w.lastArrival, arrived);
        fromAck.recordValue(micros(arrived - w.acked));
        fromAckByNode[s.node].recordValue(micros(arrived - w.acked));
        deliveredByNode[s.node]++;
        fromSend.recordValue(micros(arrived - w.sent));
        fromIntended.recordValue(micros(arrived - w.intended));
      }
    }
    long expected = expected(subscribers, writes);
    long outOfOrder = subscribers.stream().mapToLong(sub -> sub.outOfOrder).sum();
    long subscribersOutOfOrder = subscribers.stream().filter(sub -> sub.outOfOrder > 0).count();
    boolean complete = delivered == expected && failedWrites == 0;
    // Per write: the first arrival is the pipeline (commit → Kafka → propagation → first socket), the
    // spread from first to last arrival is the fan-out (node writing N sockets, generator reading them).
    Histogram first = Report.newHistogram();
    Histogram spread = Report.newHistogram();
    for (Write w : writes) {
      if (w.firstArrival != Long.MAX_VALUE) {
        first.recordValue(micros(w.firstArrival - w.acked));
        spread.recordValue(micros(w.lastArrival - w.firstArrival));
      }
    }
    Report.row("delivered / expected", String.format("%,d / %,d (%.3f %%)%s", delivered, expected,
        expected == 0 ? 0 : 100.0 * delivered / expected, complete ? "" : "  INCOMPLETE"));
    Report.row("in revision order", outOfOrder == 0 ? "yes: every subscriber received its changes in increasing revision order"
        : String.format("NO: %,d arrivals out of order, at %,d subscribers", outOfOrder, subscribersOutOfOrder));
    Report.row("failed writes, duplicates, strays", failedWrites + ", " + duplicates + ", " + (unmatched + misrouted)
        + (errors > 0 ? ", bridge errors " + errors : ""));
    Report.latencyHeader("ms");
    JsonObject latency = new JsonObject()
        .put("fromPutAnswer", Report.latencyRow("PUT 200 → arrival", fromAck))
        .put("fromPutSend", Report.latencyRow("PUT send → arrival", fromSend))
        .put("fromIntendedSend", Report.latencyRow("intended send → arrival", fromIntended))
        .put("firstArrivalPerWrite", Report.latencyRow("PUT 200 → first arrival, per write", first))
        .put("fanoutSpreadPerWrite", Report.latencyRow("first → last arrival, per write", spread))
        .put("put", Report.latencyRow("PUT send → 200", put))
        .put("sendLag", Report.latencyRow("generator lag (send − intended)", sendLag));
    if (nodes.size() > 1) {
      JsonObject byNode = new JsonObject();
      for (int i = 0; i < nodes.size(); i++) {
        String name = nodes.get(i).name();
        byNode.put(name, new JsonObject().put("delivered", deliveredByNode[i]).put("expected", expectedByNode[i])
            .put("fromPutAnswer", Report.latencyRow(name + ": PUT 200 → arrival", fromAckByNode[i])));
      }
      for (int i = 0; i < nodes.size(); i++) {
        Report.row(nodes.get(i).name() + " delivered / expected", String.format("%,d / %,d%s", deliveredByNode[i],
            expectedByNode[i], deliveredByNode[i] == expectedByNode[i] ? "" : "  INCOMPLETE"));
      }
      latency.put("perNode", byNode);
    }
    if (beforeAck > 0) {
      Report.row("arrivals before the PUT's 200", beforeAck + " (counted as 0 ms from the 200)");
    }
    HopBreakdown hops = new HopBreakdown(writes.length);
    for (Write w : writes) {
      String trace = w.revision >= 0 && w.firstArrival != Long.MAX_VALUE ? traces.get(w.revision) : null;
      if (trace != null) {
        hops.add(w.acked, w.firstArrival, trace);
      }
    }
    if (hops.count() > 0) {
      result.put("hops", hops.print());
    } else {
      Report.row("per-hop breakdown", "none: the node's frames carry no trace (bridge.traceHops is off)");
    }
    JsonObject order = new JsonObject();
    for (NodeUnderTest each : nodes) {
      JsonObject propagation = each.getJson("/v1/stats/propagation");
      if (propagation.containsKey("order")) {
        order.put(each.name(), propagation.getJsonObject("order"));
        Report.row(each.name() + " revision order", propagation.getJsonObject("order").encode());
      }
    }
    result.put("revisionOrder", order);
    result.put("expected", expected).put("delivered", delivered).put("complete", complete)
        .put("failedWrites", failedWrites).put("duplicates", duplicates).put("unmatched", unmatched)
        .put("misrouted", misrouted).put("bridgeErrors", errors).put("arrivalsBeforePutAnswer", beforeAck)
        .put("outOfOrder", outOfOrder).put("subscribersOutOfOrder", subscribersOutOfOrder)
        .put("latencyMs", latency);
    return complete && duplicates == 0 && misrouted == 0 && outOfOrder == 0;
  }

  private static long micros(long nanos) {
    return Math.max(0, nanos / 1000);
  }

  /** One raw WebSocket subscriber; its frames are handled on one client event loop. */
  private final class Subscriber {
    final String address;
    final int key;
    final int group;
    /** Index of the node this subscriber is connected to. */
    int node;
    WebSocket ws;
    long[] revisions = new long[16];
    long[] arrivals = new long[16];
    int count;
    int errors;
    /** Arrivals at or below the revision that arrived before them on this socket. */
    int outOfOrder;
    private Promise<Void> snapshot;
    private String replyAddress;
    /** The instance it names with a hello (--gray), null: anonymous. */
    String instance;
    /** Whether its snapshot held the gray key "on" (--gray, whole-prefix subscribers), null: not seen. */
    Boolean gray;

    Subscriber(String address, int key, int group) {
      this.address = address;
      this.key = key;
      this.group = group;
    }

    boolean covers(int writeKey) {
      return key >= 0 ? key == writeKey : group < 0 || writeKey % GROUPS == group;
    }

    Future<Void> subscribe(WebSocket socket) {
      ws = socket;
      snapshot = Promise.promise();
      replyAddress = "bench.reply." + System.identityHashCode(this) + "." + System.nanoTime();
      ws.textMessageHandler(this::onFrame);
      ws.closeHandler(v -> snapshot.tryFail("the socket closed"));
      if (instance != null) {
        // the hello goes first: the bridge handles a socket's frames in order, and answers it before the snapshot
        ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "configd.hello")
            .put("replyAddress", replyAddress + ".hello").put("body", new JsonObject().put("instance", instance)
                .put("app", "bench").put("labels", new JsonObject().put("zone", "eu-1"))).encode());
      }
      String prefix = address.substring(("config." + options.env() + ".").length());
      ws.writeTextMessage(new JsonObject().put("type", "register").put("address", address).encode());
      ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "configd.snapshot")
          .put("replyAddress", replyAddress)
          .put("body", new JsonObject().put("env", options.env()).put("prefix", prefix)).encode());
      return snapshot.future();
    }

    void ping() {
      if (ws != null && !ws.isClosed()) {
        ws.writeTextMessage("{\"type\":\"ping\"}");
      }
    }

    private void onFrame(String text) {
      long now = System.nanoTime();
      if (text.startsWith(REC)) {
        int at = text.indexOf("\"revision\":");
        if (at > 0) {
          if (count == revisions.length) {
            revisions = Arrays.copyOf(revisions, count * 2);
            arrivals = Arrays.copyOf(arrivals, count * 2);
          }
          long revision = parseLong(text, at + 11);
          if (revision <= measuredAfter) {
            return; // the warm-up's
          }
          if (count > 0 && revision <= revisions[count - 1]) {
            outOfOrder++;
          }
          revisions[count] = revision;
          arrivals[count] = now;
          count++;
          int trace = text.indexOf(TRACE);
          if (trace > 0 && trace < at) {
            int from = trace + TRACE.length();
            traces.putIfAbsent(revision, text.substring(from, text.indexOf('"', from)));
          }
          PropagationScenario.this.arrivals.incrementAndGet();
        }
      } else if (text.contains("\"address\":\"" + replyAddress + "\"")) {
        if (text.startsWith("{\"type\":\"err\"")) {
          snapshot.tryFail("snapshot refused: " + text);
        } else {
          if (instance != null && key < 0 && group < 0) {
            gray = grayValue(text);
          }
          snapshot.tryComplete();
        }
      } else if (text.startsWith("{\"type\":\"err\"")) {
        errors++;
      }
    }
  }

  /** Whether a snapshot reply holds the gray key "on" (true), "off" (false), or not at all (null). */
  private static Boolean grayValue(String text) {
    return text.contains("\"" + GRAY_KEY + "\"") ? grayValue(new JsonObject(text)) : null;
  }

  /** The gray key's item wherever it sits in the reply: its value is "on". */
  private static Boolean grayValue(Object json) {
    if (json instanceof JsonObject object) {
      if (GRAY_KEY.equals(object.getValue("key"))) {
        return "on".equals(object.getValue("value"));
      }
      for (Map.Entry<String, Object> member : object) { // the iterator wraps maps and lists as JSON
        Boolean found = grayValue(member.getValue());
        if (found != null) {
          return found;
        }
      }
    } else if (json instanceof io.vertx.core.json.JsonArray array) {
      for (Object item : array) {
        Boolean found = grayValue(item);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static long parseLong(String text, int from) {
    long value = 0;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
