package io.configd;

import io.configd.api.ApiVerticle;
import io.configd.api.NodeLifecycle;
import io.configd.audit.AuditVerticle;
import io.configd.bus.BusVerticle;
import io.configd.auth.AdminBootstrap;
import io.configd.auth.JwtVerifier;
import io.configd.auth.RateLimits;
import io.configd.auth.TokenCache;
import io.configd.bridge.BridgeStats;
import io.configd.cache.CacheSettings;
import io.configd.cache.CacheVerticle;
import io.configd.cache.CachedReads;
import io.configd.cache.SharedCache;
import io.configd.instances.InstanceBook;
import io.configd.instances.InstancesVerticle;
import io.configd.metrics.MetricsEndpoint;
import io.configd.metrics.NodeMetrics;
import io.configd.model.Addresses;
import io.configd.notify.NotificationVerticle;
import io.configd.propagation.PropagationVerticle;
import io.configd.publisher.PublisherVerticle;
import io.configd.restore.RestoreCheck;
import io.configd.retention.RetentionVerticle;
import io.configd.store.Failures;
import io.configd.store.Migrations;
import io.configd.store.PostgresqlAtStart;
import io.configd.store.SecretStore;
import io.configd.secrets.Secrets;
import io.configd.secrets.SecretsVerticle;
import io.configd.store.RolloutFleet;
import io.configd.store.WritePipeline;
import io.configd.guard.Approvals;
import io.configd.guard.Guards;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configd node and its composition root: parses the settings once, builds what the verticles share (the
 * PostgreSQL pool, the write pipeline, the token cache, the rate limits, the near cache, the counters), migrates the schema, then
 * deploys the verticles in order, each given what it needs in its constructor.
 */
public final class Node {

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final Vertx vertx;
  private final NodeSettings settings;
  private final HazelcastClusterManager cluster;
  private final Pool pool;
  private final TokenCache tokens;
  private final RateLimits limits;
  private final NodeMetrics metrics;
  private final MetricsEndpoint metricsEndpoint;
  private final BridgeStats bridgeStats;
  private final SharedCache cache;
  private final Guards guards;
  private WritePipeline writes;
  private Secrets secrets;
  private final NodeLifecycle lifecycle;
  private final InstanceBook instances;
  private final List<String> deployments = new ArrayList<>();
  private final List<ApiVerticle> apis = new CopyOnWriteArrayList<>();
  private MessageConsumer<Void> clusterStats;
  private long epoch;
  private JwtVerifier jwt;

  private Node(Vertx vertx, NodeSettings settings, HazelcastClusterManager cluster, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.settings = settings;
    this.cluster = cluster;
    this.lifecycle = new NodeLifecycle(settings.shutdown());
    this.metrics = NodeMetrics.create(vertx, registry);
    this.metricsEndpoint = new MetricsEndpoint(metrics, settings.metrics());
    this.bridgeStats = new BridgeStats(metrics.propagationLag());
    this.pool = settings.pg().pool(vertx);
    this.tokens = new TokenCache(settings.auth());
    this.limits = new RateLimits(settings.auth().limits());
    this.cache = SharedCache.create(settings.cache());
    this.guards = new Guards(vertx, pool, settings.guards());
    this.instances = new InstanceBook(settings.name(), settings.bridge().maxHandlersPerSocket());
  }

  public static Future<Node> deploy(Vertx vertx, JsonObject config) {
    return deploy(vertx, config, null, NodeMetrics.newRegistry());
  }

  /**
   * @param cluster  the cluster manager of a clustered Vert.x, or null for a node on its own
   * @param registry where the node's meters go: the registry of its Vert.x's metrics when it has them
   */
  public static Future<Node> deploy(Vertx vertx, JsonObject config, HazelcastClusterManager cluster,
                                    PrometheusMeterRegistry registry) {
    NodeSettings settings;
    try {
      settings = NodeSettings.from(config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Node node = new Node(vertx, settings, cluster, registry);
    return node.start()
        .recover(failure -> node.close().transform(closed -> Future.failedFuture(failure)))
        .map(node);
  }

  private Future<Void> start() {
    guards.listen();
    clusterStats = vertx.eventBus().localConsumer(Addresses.CLUSTER_STATS,
        message -> clusterStats().onComplete(message::reply, failure -> Failures.reply(message, failure)));
    metrics.bind(bridgeStats, limits, lifecycle::serving, settings.kafka(), settings.name(),
        List.of(settings.audit().group() + settings.kafka().groupSuffix(),
            settings.notification().group() + settings.kafka().groupSuffix()));
    metrics.bindInstances(instances);
    return PostgresqlAtStart.await(vertx, pool, settings.pg())
        .compose(answered -> Migrations.migrate(vertx, settings.pg()))
        .compose(migrated -> RestoreCheck.run(vertx, settings.restore(), settings.kafka(), pool, settings.name()))
        .onSuccess(serving -> epoch = serving)
        .compose(checked -> Secrets.start(settings.secrets(), new SecretStore(pool)))
        .onSuccess(started -> {
          secrets = started;
          guards.opensSecretsWith(secrets);
          writes = new WritePipeline(pool, settings.api().maxBatchOps(), settings.api().maxBatchesInFlight(), guards,
              secrets);
        })
        .compose(checked -> AdminBootstrap.ensure(pool, settings.auth(), settings.api().port()))
        .compose(bootstrapped -> deploy(new CacheVerticle(epochCache(), pool, cache)))
        .compose(cacheDeployed -> deploy(new PublisherVerticle(settings.publisher(), pool, epoch, writes,
            new CachedReads(vertx, cache), new RolloutFleet(pool, settings.instances().staleMillis()))))
        .compose(publisher -> deploy(new PropagationVerticle(settings.propagation(), pool, secrets)))
        .compose(propagation -> deploy(new AuditVerticle(settings.audit(), pool)))
        .compose(audit -> deploy(new SecretsVerticle(secrets, new SecretStore(pool))))
        .compose(audit -> deploy(new NotificationVerticle(settings.notification(), pool)))
        .compose(notify -> deploy(new RetentionVerticle(settings.retention(), pool)))
        .compose(retention -> deploy(new InstancesVerticle(settings.instances(), instances, pool)))
        .compose(retention -> settings.spring().busEnabled()
            ? deploy(new BusVerticle(settings.spring(), settings.kafka(), settings.name())) : Future.succeededFuture(""))
        .compose(notify -> JwtVerifier.create(vertx, settings.auth().jwt()))
        .compose(jwt -> {
          this.jwt = jwt;
          ApiVerticle.Shared shared = new ApiVerticle.Shared(settings.api(), settings.bridge(), settings.auth(), pool,
              tokens, limits, jwt, bridgeStats, cache, settings.spring(), settings.tls(), lifecycle, writes,
              metricsEndpoint, instances, settings.instances(), guards, new Approvals(guards, writes), secrets);
          return vertx.deployVerticle(() -> {
            ApiVerticle api = new ApiVerticle(shared);
            apis.add(api);
            return api;
          }, new DeploymentOptions().setInstances(settings.apiInstances())).onSuccess(deployments::add);
        })
        .compose(api -> metricsEndpoint.startManagement(vertx))
        .onSuccess(done -> {
          lifecycle.moveTo(NodeLifecycle.State.SERVING);
          LOG.info("Node '{}' ready", settings.name());
        })
        .mapEmpty();
  }

  /**
   * The Redis tier keyed by epoch as well: what Redis holds of a history a restore left (newer versions than the
   * database's) is never read again, and expires with its TTL.
   */
  private CacheSettings epochCache() {
    return settings.cache().withNamespace(settings.cache().namespace() + "e" + epoch + ":");
  }

  /** The epoch this node serves (see {@link RestoreCheck}), known once it started. */
  public long epoch() {
    return epoch;
  }

  /**
   * What crosses the cluster, for operators and for the test that proves bridge sockets stay out of
   * the cluster manager: members and the size of Vert.x's subscription map (a blocking Hazelcast call).
   */
  private Future<JsonObject> clusterStats() {
    if (cluster == null) {
      return Future.succeededFuture(new JsonObject().put("clustered", false));
    }
    return vertx.executeBlocking(() -> new JsonObject()
        .put("clustered", true)
        .put("nodeId", cluster.getNodeId())
        .put("members", new JsonArray(cluster.getNodes()))
        .put("subscriptionEntries", cluster.getHazelcastInstance().getMultiMap("__vertx.subs").size()));
  }

  private Future<String> deploy(Deployable verticle) {
    return vertx.deployVerticle(verticle, new DeploymentOptions()).onSuccess(deployments::add);
  }

  /** The routes of the HTTP API (every API instance serves the same), for the OpenAPI document's check. */
  public List<io.vertx.ext.web.Route> routes() {
    return apis.get(0).routes();
  }

  public int httpPort() {
    return apis.get(0).actualPort();
  }

  /** The metrics management port, or -1 when /metrics is on the API port only. */
  public int managementPort() {
    return metricsEndpoint.managementPort();
  }

  public int bridgeTcpPort() {
    return apis.get(0).bridgeTcpPort();
  }

  /** The plain loopback port of /health and /ready (tls.healthPort), or -1. */
  public int healthPort() {
    return apis.get(0).healthPort();
  }

  /**
   * Stops as an orchestrator expects (SIGTERM): not ready at once, still serving for the readiness delay so that load
   * balancers take the node out, then {@link #close}: bridge clients told to reconnect elsewhere, requests in flight
   * finished, verticles undeployed.
   */
  public Future<Void> shutdown() {
    lifecycle.moveTo(NodeLifecycle.State.DRAINING);
    LOG.info("Node '{}' stopping: not ready; serving {} ms more, then finishing requests in flight",
        settings.name(), lifecycle.readinessDelay().toMillis());
    return vertx.timer(Math.max(1, lifecycle.readinessDelay().toMillis())).<Void>mapEmpty().compose(waited -> close());
  }

  /**
   * Undeploys the verticles, newest first, so the API stops taking requests (letting those in flight finish) before
   * the rest goes; then releases what the node built for them.
   */
  public Future<Void> close() {
    lifecycle.moveTo(NodeLifecycle.State.DRAINING);
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain
        .eventually(() -> clusterStats == null ? Future.succeededFuture() : clusterStats.unregister())
        .eventually(metricsEndpoint::close)
        .eventually(guards::close)
        .eventually(() -> {
          if (jwt != null) {
            jwt.close();
          }
          return pool.close();
        })
        .onComplete(done -> {
          deployments.clear();
          lifecycle.moveTo(NodeLifecycle.State.STOPPED);
        });
  }
}
