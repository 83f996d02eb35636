package io.configd;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** A configd node deployed inside a test's Vert.x, with an HTTP client pointed at it. */
public final class TestNode {

  private final Node node;
  private final WebClient http;
  private final JsonObject config;

  private TestNode(Node node, WebClient http, JsonObject config) {
    this.node = node;
    this.http = http;
    this.config = config;
  }

  public static Future<TestNode> start(Vertx vertx, JsonObject config) {
    return Node.deploy(vertx, config).map(node -> new TestNode(node,
        WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort()),
            new PoolOptions().setHttp1MaxSize(64)), config));
  }

  public WebClient http() {
    return http;
  }

  public JsonObject config() {
    return config;
  }

  public int port() {
    return node.httpPort();
  }

  public Future<Void> stop() {
    http.close();
    return node.close();
  }
}
