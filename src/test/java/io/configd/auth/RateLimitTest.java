package io.configd.auth;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.TestNode;
import io.configd.TestServices;
import io.configd.model.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-node token buckets: failed authentications per client address, writes per principal. */
@ExtendWith(VertxExtension.class)
@DisplayName("Rate limits")
class RateLimitTest {

  @Test
  @DisplayName("guessing tokens hits 429 with Retry-After, on the API and the bridge alike, and then even a valid token waits")
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
      assertProblem(node.get("/v1/config/a?env=production"), 429, "too-many-requests");
      assertThat(node.get("/health").statusCode()).isEqualTo(200);
    } finally {
      node.stop().await();
    }
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
