package io.configd;

import io.configd.api.ApiVerticle;
import io.configd.cache.CacheVerticle;
import io.configd.store.Migrations;
import io.configd.store.PgSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
  private ApiVerticle api;

  private Node(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<Node> deploy(Vertx vertx, JsonObject config) {
    Node node = new Node(vertx);
    return node.start(config).map(node);
  }

  private Future<Void> start(JsonObject config) {
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    api = new ApiVerticle(deployed::get);
    return Migrations.migrate(vertx, PgSettings.from(config.getJsonObject("pg")))
        .compose(migrated -> deploy(new CacheVerticle(), options))
        .compose(cache -> deploy(api, options))
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
    return api.actualPort();
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
