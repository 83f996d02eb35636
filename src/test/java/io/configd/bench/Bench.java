package io.configd.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

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
    String name = String.join("+", options.scenarios()) + (options.quick() ? "-quick" : "");
    NodeUnderTest node = null;
    try {
      if (options.url() != null) {
        node = NodeUnderTest.external(vertx, options.url());
      } else {
        Path log = options.out().resolve("node-" + name + "-" + System.currentTimeMillis() + ".log");
        node = NodeUnderTest.start(vertx, options, log);
      }
      report.node(node.description());
      boolean ok = true;
      for (String scenario : options.scenarios()) {
        ok &= switch (scenario) {
          case "propagation" -> new PropagationScenario(vertx, node, options).run(report);
          case "reads" -> new ReadsScenario(vertx, node, options).run(report);
          case "writes" -> new WritesScenario(vertx, node, options).run(report);
          default -> throw new IllegalStateException("unknown scenario " + scenario);
        };
      }
      JsonObject after = node.stats();
      report.finish(after);
      Path file = report.write(options.out(), name);
      System.out.println("figures:  " + file + (ok ? "" : "  (some figure is INCOMPLETE: see above)"));
      return ok ? 0 : 1;
    } finally {
      if (node != null) {
        node.stop();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
