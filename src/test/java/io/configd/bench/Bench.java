package io.configd.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The load generator behind bin/bench: runs in its own JVM against a configd node in another process
 * (one it starts, or --url), prints a table and writes the same figures as JSON. Exits 0 when every
 * figure was produced and every change was delivered, 1 otherwise, 2 on a usage error.
 */
public final class Bench {

  private Bench() {
  }

  public static void main(String[] args) {
    int status;
    try {
      status = run(args);
    } catch (BenchOptions.UsageException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("bench: " + e.getMessage());
      }
      System.err.println(BenchOptions.USAGE);
      status = 2;
    } catch (Exception e) {
      System.err.println("bench: failed: " + e);
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  static int run(String[] args) throws Exception {
    String command = System.getProperty("bench.command", "java -cp <test classpath> io.configd.bench.Bench "
        + String.join(" ", args).replaceAll("--node-classpath \\S+", "--node-classpath <test classpath>"));
    BenchOptions options = BenchOptions.parse(args, command);
    Report report = new Report(options);
    // The generator's own threads: one event loop per core, like the node; both share the machine.
    Vertx vertx = Vertx.builder().with(new VertxOptions()
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())).build();
    String name = String.join("+", options.scenarios()) + (options.quick() ? "-quick" : "")
        + (options.nodes() > 1 ? "-" + options.nodes() + "nodes" : "");
    String run = name + "-" + System.currentTimeMillis();
    List<NodeUnderTest> nodes = new ArrayList<>();
    List<NodeUnderTest> started = new ArrayList<>();
    try {
      if (options.url() != null) {
        nodes.add(NodeUnderTest.external(vertx, options.url()));
      } else if (options.nodes() > 1) {
        nodes.addAll(NodeUnderTest.startCluster(vertx, options, options.out(), run, options.nodes()));
      } else {
        nodes.add(NodeUnderTest.start(vertx, options, options.out().resolve("node-" + run + ".log")));
      }
      NodeUnderTest main = nodes.get(0);
      report.node(main.description());
      for (NodeUnderTest other : nodes.subList(1, nodes.size())) {
        report.otherNode(other.description());
      }
      // The reads variants that need a node of their own (near cache off, Redis stopped) start it through this.
      ReadsScenario.NodeStarter starter = options.url() != null ? null : (nodeName, overrides) -> {
        NodeUnderTest node = NodeUnderTest.start(vertx, options,
            options.out().resolve("node-" + run + "-" + nodeName + ".log"), nodeName, overrides);
        started.add(node);
        report.otherNode(node.description());
        return node;
      };
      boolean ok = true;
      PeerComparison comparison = new PeerComparison();
      for (String scenario : options.scenarios()) {
        switch (scenario) {
          case "propagation" -> {
            if (options.lingers() != null || options.fetchWaits() != null) {
              ok &= KafkaVariants.run(vertx, options, report, run); // a node per variant, beside the bench's own
            } else {
              for (int n : options.subscriberCounts()) {
                PropagationScenario propagation = new PropagationScenario(vertx, nodes, options.with(n, options.writeConcurrency()));
                ok &= propagation.run(report, options.subscriberCounts().size() > 1 ? "propagation-" + n : "propagation");
                comparison.configdPropagation(n, propagation.result);
              }
            }
          }
          case "soak" -> ok &= new PropagationScenario(vertx, nodes, options).soak(report);
          case "reads" -> ok &= new ReadsScenario(vertx, main, starter, options).run(report);
          case "writes" -> {
            if (nodes.size() > 1) {
              ClusteredWrites.warm(vertx, nodes, options);
            }
            for (int c : options.writeConcurrencies()) {
              String writesName = options.writeConcurrencies().size() > 1 ? "writes-c" + c : "writes";
              WritesScenario writes = new WritesScenario(vertx, main, options.with(options.subscribers(), c));
              ok &= writes.run(report, writesName);
              comparison.configdWrites(c, writes.result);
              if (nodes.size() > 1) { // the same writes spread over every clustered node, beside node 1's alone
                WritesScenario spread = new WritesScenario(vertx, nodes, options.with(options.subscribers(), c));
                ok &= spread.run(report, writesName + "-" + nodes.size() + "nodes");
                report.json.put(writesName + "-clustered", ClusteredWrites.compare(writesName, nodes.size(),
                    writes.result, spread.result));
              }
            }
          }
          case "txn" -> {
            for (int c : options.writeConcurrencies()) {
              ok &= new TxnScenario(vertx, main, options.with(options.subscribers(), c))
                  .run(report, options.writeConcurrencies().size() > 1 ? "txn-c" + c : "txn");
            }
          }
          default -> throw new IllegalStateException("unknown scenario " + scenario);
        }
      }
      if (options.peer() != null) {
        // The peer runs after configd, on the same minutes, with the node still up (idle): the same machine for both.
        EtcdPeer etcd = EtcdPeer.start(vertx, options.out(), run);
        try {
          report.otherNode(etcd.description());
          EtcdScenarios peer = new EtcdScenarios(vertx, etcd, options);
          for (String scenario : options.scenarios()) {
            if (scenario.equals("writes")) {
              options.writeConcurrencies().forEach(c -> comparison.etcdWrites(c, peer.writes(report, c)));
            } else if (scenario.equals("propagation")) {
              options.subscriberCounts().forEach(n -> comparison.etcdPropagation(n, peer.propagation(report, n)));
            }
          }
        } finally {
          etcd.stop();
        }
        report.json.put("comparison", comparison.print());
      }
      JsonObject after = main.stats();
      report.finish(after);
      Path file = report.write(options.out(), name);
      System.out.println("figures:  " + file + (ok ? "" : "  (some figure is INCOMPLETE: see above)"));
      return ok ? 0 : 1;
    } finally {
      started.forEach(NodeUnderTest::stop);
      nodes.forEach(NodeUnderTest::stop);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
