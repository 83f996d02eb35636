package io.configd.auth;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.TestNode;
import io.configd.TestServices;
import io.configd.model.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-node token buckets: failed authentications per client address, writes per principal. */
@ExtendWith(VertxExtension.class)
@DisplayName("Rate limits")
class RateLimitTest {

  @Test
  @DisplayName("guessing tokens hits 429 with Retry-After, on the API and the bridge alike, while a valid token from the "
      + "same address still passes")
  void bruteForceHitsTheLimit(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("RateLimitTestGuesses");
    config.getJsonObject("auth").put("limits", new JsonObject().put("failedAuthBurst", 6).put("failedAuthPerMinute", 0.5));
    TestNode node = TestNode.start(vertx, config).await();
    try {
      for (int i = 0; i < 3; i++) {
        assertProblem(node.as(ApiTokens.generate()).get("/v1/config/a?env=production"), 401, "unauthorized");
      }
      BridgeTestClient bridge = BridgeTestClient.connect(vertx, node.port(), null).await();
      for (int i = 0; i < 3; i++) {
        JsonObject reply = bridge.token(ApiTokens.generate()).request(Addresses.SNAPSHOT,
            new JsonObject().put("env", "production")).await();
        assertThat(reply.getString("message")).startsWith("auth_error");
      }
      bridge.token(ApiTokens.generate()).register("config.production.a");
      bridge.closed().await();
      assertThat(bridge.errors).extracting(err -> err.getString("body")).contains("too_many_requests");

      HttpResponse<Buffer> limited = node.as(ApiTokens.generate()).get("/v1/config/a?env=production");
      JsonObject problem = assertProblem(limited, 429, "too-many-requests");
      assertThat(Long.parseLong(limited.getHeader("Retry-After"))).isPositive();
      assertThat(problem.getString("detail")).contains("failed authentications");
      assertProblem(node.get("/v1/config/a?env=production"), 404, "not-found"); // the admin's token: never limited
      assertProblem(node.as(ApiTokens.generate()).get("/v1/config/a?env=production"), 429, "too-many-requests");
      assertThat(node.get("/health").statusCode()).isEqualTo(200);
    } finally {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("behind a trusted proxy, a bridge socket's failed authentications count against the client its "
      + "X-Forwarded-For names, not against the proxy that every client shares")
  void bridgeFailuresCountPerForwardedClient(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("RateLimitTestBridgeProxy");
    config.getJsonObject("auth").put("limits", new JsonObject().put("failedAuthBurst", 3).put("failedAuthPerMinute", 0.5));
    config.getJsonObject("http").put("trustedProxies", new JsonArray().add("127.0.0.1"));
    TestNode node = TestNode.start(vertx, config).await();
    try {
      BridgeTestClient attacker = BridgeTestClient.connect(vertx, node.port(), null,
          Map.of("X-Forwarded-For", "203.0.113.7")).await();
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        answers.add(attacker.token(ApiTokens.generate()).request(Addresses.SNAPSHOT,
            new JsonObject().put("env", "production")).await().getString("message"));
      }
      assertThat(answers.subList(0, 3)).allSatisfy(answer -> assertThat(answer).startsWith("auth_error"));
      assertThat(answers.get(3)).as("the attacker's own client is limited").startsWith("too_many_requests");

      for (String other : List.of("203.0.113.8", "127.0.0.1")) {
        BridgeTestClient neighbour = BridgeTestClient.connect(vertx, node.port(), null,
            Map.of("X-Forwarded-For", other)).await();
        String answer = neighbour.token(ApiTokens.generate()).request(Addresses.SNAPSHOT,
            new JsonObject().put("env", "production")).await().getString("message");
        assertThat(answer).as("a failure of another client behind the same proxy (%s)", other).startsWith("auth_error");
        neighbour.close().await();
      }
      attacker.close().await();
    } finally {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("a stranger's failures lock out no valid token: not the victim's from the stranger's own address, "
      + "not one sharing the first characters of the stranger's bad tokens from another address")
  void failuresNeverLockOutAValidToken(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("RateLimitTestInnocent");
    config.getJsonObject("auth").put("limits", new JsonObject().put("failedAuthBurst", 5).put("failedAuthPerMinute", 0.5));
    TestNode node = TestNode.start(vertx, config).await();
    // the stranger and, later, the victim share 127.0.0.2 (one load balancer); the victim also comes from 127.0.0.1
    WebClient shared = WebClient.create(vertx, new WebClientOptions().setLocalAddress("127.0.0.2")
        .setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
    try {
      String victim = node.createToken("victim", "production", "", "read");
      node.put("innocent.k", "production", 1);
      for (int i = 0; i < 40; i++) {
        String guess = victim.substring(0, 16) + ApiTokens.generate().substring(16);
        HttpResponse<Buffer> refused = get(shared, guess);
        assertThat(refused.statusCode()).as("guess " + i).isEqualTo(i < 5 ? 401 : 429);
        assertThat(node.as(victim).get("/v1/config/innocent.k?env=production").statusCode()).as("victim after guess " + i)
            .isEqualTo(200);
        assertThat(get(shared, victim).statusCode()).as("victim behind the stranger's address after guess " + i)
            .isEqualTo(200);
      }
      BridgeTestClient bridge = BridgeTestClient.connect(vertx.createWebSocketClient(
          new WebSocketClientOptions().setLocalAddress("127.0.0.2")), node.port(), true, victim).await();
      JsonObject reply = bridge.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production")).await();
      assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("rec");
      bridge.close().await();
    } finally {
      shared.close();
      node.stop().await();
    }
  }

  private static HttpResponse<Buffer> get(WebClient client, String token) {
    return client.get("/v1/config/innocent.k?env=production").putHeader("Authorization", "Bearer " + token).send().await();
  }

  @Test
  @DisplayName("a principal over its write limit gets 429 with Retry-After; its reads and other principals' writes go on")
  void writesAreLimitedPerPrincipal(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("RateLimitTestWrites");
    config.getJsonObject("auth").put("limits", new JsonObject().put("writeBurst", 3).put("writesPerSecond", 0.01));
    TestNode node = TestNode.start(vertx, config).await();
    try {
      TestNode busy = node.as(node.createToken("busy", "production", "", "write"));
      for (int i = 0; i < 3; i++) {
        assertThat(busy.put("limited.k", "production", i).statusCode()).isEqualTo(i == 0 ? 201 : 200);
      }
      HttpResponse<Buffer> limited = busy.put("limited.k", "production", 99);
      assertProblem(limited, 429, "too-many-requests");
      assertThat(Long.parseLong(limited.getHeader("Retry-After"))).isPositive();
      assertThat(busy.get("/v1/config/limited.k?env=production").bodyAsJsonObject().getInteger("value")).isEqualTo(2);
      TestNode other = node.as(node.createToken("other", "production", "", "write"));
      assertThat(other.put("limited.k", "production", 100).statusCode()).isEqualTo(200);
    } finally {
      node.stop().await();
    }
  }
}
