package io.configd;

import io.configd.logging.LogFormat;
import io.configd.logging.LogSettings;
import io.vertx.core.Future;
import io.configd.metrics.MetricsSettings;
import io.configd.metrics.NodeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one configd node in the foreground until SIGTERM or Ctrl-C; clustered when cluster.members is set. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> environment = System.getenv();
    Vertx vertx;
    Node node;
    try {
      JsonObject config = loadConfig(environment);
      LogFormat.apply(LogSettings.from(config));
      ClusterSettings cluster = ClusterSettings.from(config);
      HazelcastClusterManager manager = cluster.enabled() ? new HazelcastClusterManager(cluster.hazelcastConfig()) : null;
      PrometheusMeterRegistry registry = NodeMetrics.newRegistry();
      vertx = start(cluster, manager, MetricsSettings.from(config.getJsonObject("metrics", new JsonObject())), registry)
          .await();
      try {
        node = Node.deploy(vertx, config, manager, registry).await();
      } catch (Exception e) {
        vertx.close().await();
        throw e;
      }
    } catch (Exception e) {
      LOG.error("configd failed to start: {}", e.getMessage(), e);
      LogFormat.flush();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping configd");
      node.shutdown().eventually(vertx::close).onComplete(done -> {
        LOG.info("configd stopped");
        stopped.countDown();
      });
      try {
        if (!stopped.await(30, TimeUnit.SECONDS)) {
          LOG.warn("configd did not stop within 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        LogFormat.flush(); // the access lines of the last second, the drain's among them
      }
    }, "configd-shutdown"));
  }

  /** vertx-config needs a Vert.x; a short-lived one reads the configuration before the real one is built. */
  private static JsonObject loadConfig(Map<String, String> environment) {
    Vertx reader = Vertx.vertx();
    try {
      return NodeConfig.load(reader, NodeConfig.file(environment), environment).await();
    } finally {
      reader.close().await();
    }
  }

  /** A Vert.x whose metrics (HTTP, event bus, pools, JVM) go to the node's registry. */
  private static Future<Vertx> start(ClusterSettings cluster, HazelcastClusterManager manager, MetricsSettings metrics,
                                     PrometheusMeterRegistry registry) {
    VertxBuilder builder = Vertx.builder().withMetrics(NodeMetrics.vertxMetrics(registry));
    if (manager == null) {
      return Future.succeededFuture(builder.with(NodeMetrics.vertxOptions(new VertxOptions(), metrics)).build());
    }
    LOG.info("Joining cluster '{}' as {}:{} by {}", cluster.name(), cluster.host(), cluster.port(),
        cluster.joinDescription());
    return builder.with(NodeMetrics.vertxOptions(cluster.vertxOptions(), metrics)).withClusterManager(manager)
        .buildClustered();
  }
}
