package io.configd;

import io.configd.api.ApiVerticle;
import io.configd.auth.AdminBootstrap;
import io.configd.model.Addresses;
import io.configd.model.Failure;
import io.configd.cache.CacheVerticle;
import io.configd.propagation.PropagationVerticle;
import io.configd.audit.AuditVerticle;
import io.configd.bus.BusVerticle;
import io.configd.springcloud.SpringCloudSettings;
import io.configd.stream.KafkaSettings;
import io.configd.notify.NotificationVerticle;
import io.configd.publisher.PublisherVerticle;
import io.configd.store.Migrations;
import io.configd.store.PgSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One configd node: migrates the schema, then deploys the verticles in order. */
public final class Node {

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final Vertx vertx;
  private final AtomicBoolean deployed = new AtomicBoolean();
  private final List<String> deployments = new ArrayList<>();
  private final List<ApiVerticle> apis = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Node(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<Node> deploy(Vertx vertx, JsonObject config) {
    return deploy(vertx, config, null);
  }

  /** @param cluster the cluster manager of a clustered Vert.x, or null for a node on its own */
  public static Future<Node> deploy(Vertx vertx, JsonObject config, HazelcastClusterManager cluster) {
    Node node = new Node(vertx);
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CLUSTER_STATS,
        message -> clusterStats(vertx, cluster).onComplete(message::reply, failure -> message.fail(
            Failure.UNAVAILABLE.code(), failure.getMessage())));
    return node.start(config).map(node);
  }

  /**
   * What crosses the cluster, for operators and for the test that proves bridge sockets stay out of
   * the cluster manager: members and the size of Vert.x's subscription map (a blocking Hazelcast call).
   */
  private static Future<JsonObject> clusterStats(Vertx vertx, HazelcastClusterManager cluster) {
    if (cluster == null) {
      return Future.succeededFuture(new JsonObject().put("clustered", false));
    }
    return vertx.executeBlocking(() -> new JsonObject()
        .put("clustered", true)
        .put("nodeId", cluster.getNodeId())
        .put("members", new JsonArray(cluster.getNodes()))
        .put("subscriptionEntries", cluster.getHazelcastInstance().getMultiMap("__vertx.subs").size()));
  }

  private Future<Void> start(JsonObject config) {
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    int apiInstances = config.getJsonObject("http").getInteger("instances", Runtime.getRuntime().availableProcessors());
    String nodeName = config.getJsonObject("node").getString("name");
    SpringCloudSettings springCloud = SpringCloudSettings.from(config.getJsonObject("spring", new JsonObject()), nodeName);
    return Migrations.migrate(vertx, PgSettings.from(config.getJsonObject("pg")))
        .compose(migrated -> AdminBootstrap.ensure(vertx, config))
        .compose(bootstrapped -> deploy(new CacheVerticle(), options))
        .compose(cache -> deploy(new PublisherVerticle(), options))
        .compose(publisher -> deploy(new PropagationVerticle(), options))
        .compose(propagation -> deploy(new AuditVerticle(), options))
        .compose(audit -> deploy(new NotificationVerticle(), options))
        .compose(notify -> springCloud.busEnabled()
            ? deploy(new BusVerticle(springCloud, KafkaSettings.from(config.getJsonObject("kafka")), nodeName), options)
            : Future.succeededFuture(""))
        .compose(notify -> vertx.deployVerticle(() -> {
          ApiVerticle api = new ApiVerticle(deployed::get);
          apis.add(api);
          return api;
        }, new DeploymentOptions(options).setInstances(apiInstances)).onSuccess(deployments::add))
        .onSuccess(done -> {
          deployed.set(true);
          LOG.info("Node '{}' ready", config.getJsonObject("node").getString("name"));
        })
        .mapEmpty();
  }

  private Future<String> deploy(io.vertx.core.Deployable verticle, DeploymentOptions options) {
    return vertx.deployVerticle(verticle, options).onSuccess(deployments::add);
  }

  public int httpPort() {
    return apis.get(0).actualPort();
  }

  public int bridgeTcpPort() {
    return apis.get(0).bridgeTcpPort();
  }

  /** Undeploys the verticles, newest first, so the API stops taking requests before the rest goes. */
  public Future<Void> close() {
    deployed.set(false);
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain.onComplete(done -> deployments.clear());
  }
}
