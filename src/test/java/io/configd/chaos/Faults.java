package io.configd.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The fault schedule: each kind in turn, each held for {@code hold} then repaired, with {@code gap} of calm
 * between faults, until the time is up; the victim node rotates. Every fault is repaired before the next one.
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
    while (running && System.nanoTime() < deadline) {
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
        return node.isAlive() && Waits.within(120, node::ready) ? "" : "not ready again within 120 s";
      }
      case NODE_SIGSTOP -> {
        node.freeze();
        Waits.pause(hold.toMillis());
        node.thaw();
      }
      case KAFKA_SIGKILL -> {
        cluster.kafka().kill();
        Waits.pause(hold.toMillis());
        cluster.kafka().start();
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
