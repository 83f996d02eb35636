package io.configd.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The fault schedule: each kind in turn, each held for {@code hold} then repaired, with {@code gap} of calm
 * between faults, until the time is up but at least once each; the victim node rotates. Every fault is repaired
 * before the next one, except that a killed node's restart (a JVM start, up to a minute and more under load)
 * goes on while the schedule does: how long it took to be ready again is recorded.
 */
final class Faults implements Runnable {

  enum Kind {
    NODE_SIGKILL, NODE_SIGSTOP, KAFKA_SIGKILL, REDIS_SIGKILL, POSTGRESQL_RESTART, PARTITION
  }

  record Injected(Kind kind, String target, Instant at, long heldMillis, String note) {
  }

  private final ChaosCluster cluster;
  private final Duration total;
  private final Duration hold;
  private final Duration gap;
  private final List<Kind> kinds;
  private final List<Injected> injected = new ArrayList<>();
  private final List<String> restarts = new ArrayList<>();
  private final List<Thread> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  Faults(ChaosCluster cluster, Duration total, Duration hold, Duration gap, List<Kind> kinds) {
    this.kinds = kinds;
    this.cluster = cluster;
    this.total = total;
    this.hold = hold;
    this.gap = gap;
  }

  void stop() {
    running = false;
  }

  synchronized List<Injected> injected() {
    return List.copyOf(injected);
  }

  @Override
  public void run() {
    long deadline = System.nanoTime() + total.toNanos();
    int step = 0;
    if (kinds.isEmpty()) {
      Waits.pause(total.toMillis()); // no fault: the workload runs for the time
      return;
    }
    while (running && (step < kinds.size() || System.nanoTime() < deadline)) {
      Kind kind = kinds.get(step % kinds.size());
      int victim = 1 + (step / kinds.size() + step) % cluster.nodes().size();
      Instant at = Instant.now();
      long start = System.nanoTime();
      String note = inject(kind, victim);
      synchronized (this) {
        injected.add(new Injected(kind, target(kind, victim), at, (System.nanoTime() - start) / 1_000_000, note));
      }
      System.out.printf("chaos: %s %s %s held %d ms%s%n", at, kind, target(kind, victim),
          (System.nanoTime() - start) / 1_000_000, note.isEmpty() ? "" : " (" + note + ")");
      step++;
      Waits.pause(gap.toMillis());
    }
  }

  private String inject(Kind kind, int victim) {
    ChaosNode node = cluster.nodes().get(victim - 1);
    switch (kind) {
      case NODE_SIGKILL -> {
        node.kill();
        Waits.pause(hold.toMillis());
        node.start();
        watchRestart(node);
      }
      case NODE_SIGSTOP -> {
        node.freeze();
        Waits.pause(hold.toMillis());
        node.thaw();
      }
      case KAFKA_SIGKILL -> {
        cluster.kafka().kill();
        Waits.pause(hold.toMillis());
        cluster.kafka().restart();
      }
      case REDIS_SIGKILL -> {
        cluster.redis().kill();
        Waits.pause(hold.toMillis());
        cluster.redis().start();
      }
      case POSTGRESQL_RESTART -> {
        cluster.postgres().stopImmediately();
        Waits.pause(Math.min(hold.toMillis(), 5_000));
        cluster.postgres().startServer();
      }
      case PARTITION -> {
        cluster.network().partition(victim);
        Waits.pause(hold.toMillis());
        cluster.network().heal(victim);
      }
    }
    return "";
  }

  /** Waits, on a thread of its own, for the restarted node to be ready, and records how long that took. */
  private void watchRestart(ChaosNode node) {
    long started = System.nanoTime();
    Thread watcher = new Thread(() -> {
      boolean ready = Waits.within(300, node::readyOrRestarted);
      long seconds = (System.nanoTime() - started) / 1_000_000_000;
      synchronized (this) {
        restarts.add(node.name() + (ready ? " ready " + seconds + " s after its restart" : " NOT ready 300 s after its restart"));
      }
    }, "chaos-restart-" + node.name());
    watcher.setDaemon(true);
    watcher.start();
    watchers.add(watcher);
  }

  /** How long each restarted node took to be ready (waits for the restarts still going on). */
  List<String> restarts() {
    for (Thread watcher : watchers) {
      try {
        watcher.join(300_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      return List.copyOf(restarts);
    }
  }

  private String target(Kind kind, int victim) {
    return switch (kind) {
      case NODE_SIGKILL, NODE_SIGSTOP -> "node-" + victim;
      case PARTITION -> "node-" + victim + " | the other nodes";
      case KAFKA_SIGKILL -> "kafka";
      case REDIS_SIGKILL -> "redis";
      case POSTGRESQL_RESTART -> "postgresql";
    };
  }
}
