package io.configd;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.util.Arrays;

/**
 * A configd node deployed inside a test's Vert.x, with an HTTP client pointed at it. Requests carry the
 * node's bootstrap admin token unless a test says otherwise ({@link #as}, or its own Authorization header).
 */
public final class TestNode {

  private final Node node;
  private final WebClient plain;
  private final WebClient http;
  private final JsonObject config;
  private final String token;

  private TestNode(Node node, WebClient plain, JsonObject config, String token) {
    this.node = node;
    this.plain = plain;
    this.config = config;
    this.token = token;
    this.http = token == null ? plain : WebClientSession.create(plain).addHeader("Authorization", "Bearer " + token);
  }

  public static Future<TestNode> start(Vertx vertx, JsonObject config) {
    return start(vertx, config, new WebClientOptions());
  }

  /** The same with the test's client options (TLS: setSsl and the trust of the test's CA). */
  public static Future<TestNode> start(Vertx vertx, JsonObject config, WebClientOptions client) {
    return Node.deploy(vertx, config).map(node -> new TestNode(node,
        WebClient.create(vertx, new WebClientOptions(client).setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort()),
            new PoolOptions().setHttp1MaxSize(64)), config, TestServices.adminToken(config)));
  }

  /** The same node, seen by a client with this bearer token (null: no Authorization header at all). */
  public TestNode as(String bearerToken) {
    return new TestNode(node, plain, config, bearerToken);
  }

  /** The bootstrap admin token of this node. */
  public String adminToken() {
    return TestServices.adminToken(config);
  }

  /** The bearer token this view sends; null when it sends none. */
  public String token() {
    return token;
  }

  /**
   * Creates a token (as the admin) with these grants and no expiry; returns its secret.
   * {@code grants} alternate env, prefix and access: "production", "services.payment", "read", ...
   */
  public String createToken(String name, String... grants) {
    JsonArray list = new JsonArray();
    for (int i = 0; i + 2 < grants.length; i += 3) {
      list.add(new JsonObject().put("env", grants[i]).put("prefix", grants[i + 1]).put("access", grants[i + 2]));
    }
    HttpResponse<Buffer> response = as(adminToken()).call(HttpMethod.POST, "/v1/tokens",
        new JsonObject().put("name", name).put("grants", list));
    if (response.statusCode() != 201) {
      throw new AssertionError("POST /v1/tokens " + Arrays.toString(grants) + " answered " + response.statusCode()
          + ": " + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getString("token");
  }

  /**
   * Sends a request; {@code headers} alternate names and values. Body: a JsonObject, a String, a Buffer (bytes as they are), or null.
   * Carries this view's token unless {@code headers} has an Authorization of its own.
   */
  public Future<HttpResponse<Buffer>> request(HttpMethod method, String uri, Object body, String... headers) {
    HttpRequest<Buffer> request = plain.request(method, uri);
    boolean ownAuthorization = false;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
      ownAuthorization |= headers[i].equalsIgnoreCase("Authorization");
    }
    if (!ownAuthorization && token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    if (body == null) {
      return request.send();
    }
    if (body instanceof JsonObject json) {
      return request.sendJsonObject(json);
    }
    if (body instanceof Buffer bytes) {
      return request.sendBuffer(bytes);
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

  /** A WebClient whose requests carry this view's token. */
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
    plain.close();
    return node.close();
  }
}
