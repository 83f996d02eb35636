package io.configd;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
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

  /** Sends a request; {@code headers} alternate names and values. Body: a JsonObject, a String, or null. */
  public Future<HttpResponse<Buffer>> request(HttpMethod method, String uri, Object body, String... headers) {
    HttpRequest<Buffer> request = http.request(method, uri);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    if (body == null) {
      return request.send();
    }
    if (body instanceof JsonObject json) {
      return request.sendJsonObject(json);
    }
    return request.sendBuffer(Buffer.buffer(body.toString()));
  }

  /** The same, waited for: for test code on the JUnit thread, never on an event loop. */
  public HttpResponse<Buffer> call(HttpMethod method, String uri, Object body, String... headers) {
    return request(method, uri, body, headers).await();
  }

  public HttpResponse<Buffer> put(String key, String env, Object value, String... headers) {
    return call(HttpMethod.PUT, "/v1/config/" + key + "?env=" + env, new JsonObject().put("value", value), headers);
  }

  public HttpResponse<Buffer> get(String uri, String... headers) {
    return call(HttpMethod.GET, uri, null, headers);
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

  public int bridgeTcpPort() {
    return node.bridgeTcpPort();
  }

  public Node node() {
    return node;
  }

  public Future<Void> stop() {
    http.close();
    return node.close();
  }
}
