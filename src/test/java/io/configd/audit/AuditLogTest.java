package io.configd.audit;

import io.configd.Eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.StreamTesting;
import io.configd.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The audit log")
class AuditLogTest {

  private static JsonObject config;
  private static TestNode node;
  private static Instant beforeLast;
  private static final Map<String, String> tokens = new HashMap<>();

  /** Four changes by two principals (tokens named alice and bob), audited from the change stream before any test runs. */
  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    config = StreamTesting.streamConfig("AuditLogTest");
    node = TestNode.start(vertx, config).await();
    tokens.put("alice", node.createToken("alice", "*", "", "write"));
    tokens.put("bob", node.createToken("bob", "*", "", "write"));
    write("services.x.url", "production", "alice", new JsonObject().put("value", "v1").put("comment", "first"));
    write("services.x.url", "production", "bob", new JsonObject().put("value", "v2").put("comment", "second"));
    node.as(tokens.get("alice")).http().delete("/v1/config/services.x.url").addQueryParam("env", "production")
        .addQueryParam("comment", "gone").send().await();
    beforeLast = Instant.now();
    write("services.y.port", "staging", "bob", new JsonObject().put("value", 8080).put("critical", true));
    Eventually.await("4 audit rows", Duration.ofSeconds(30), () -> items(node.http().get("/v1/audit")).size() == 4);
  }

  @AfterAll
  static void stop() {
    node.stop().await();
  }

  @Test
  @DisplayName("holds one row per revision with updatedBy, env, key, previous and new version and value, comment and time")
  void rowsDescribeChanges(VertxTestContext testContext) throws Exception {
    JsonArray rows = items(node.http().get("/v1/audit"));
    testContext.verify(() -> {
      assertThat(rows.stream().map(row -> ((JsonObject) row).getLong("revision"))).containsExactly(1L, 2L, 3L, 4L);
      JsonObject second = rows.getJsonObject(1);
      assertThat(second.getString("updatedBy")).isEqualTo("bob");
      assertThat(second.getString("env")).isEqualTo("production");
      assertThat(second.getString("key")).isEqualTo("services.x.url");
      assertThat(second.getInteger("previousVersion")).isEqualTo(1);
      assertThat(second.getInteger("version")).isEqualTo(2);
      assertThat(second.getValue("oldValue")).isEqualTo("v1");
      assertThat(second.getValue("newValue")).isEqualTo("v2");
      assertThat(second.getString("comment")).isEqualTo("second");
      assertThat(Instant.parse(second.getString("updatedAt"))).isBefore(Instant.parse(second.getString("recordedAt")));
      JsonObject first = rows.getJsonObject(0);
      assertThat(first.getInteger("previousVersion")).isNull();
      assertThat(first.getValue("oldValue")).isNull();
      JsonObject deletion = rows.getJsonObject(2);
      assertThat(deletion.getBoolean("deleted")).isTrue();
      assertThat(deletion.getValue("oldValue")).isEqualTo("v2");
      assertThat(deletion.getValue("newValue")).isNull();
      assertThat(deletion.getString("comment")).isEqualTo("gone");
      assertThat(rows.getJsonObject(3).getBoolean("critical")).isTrue();
    });
    testContext.completeNow();
  }

  @Test
  @DisplayName("filters by env, key prefix, updatedBy, and since a revision or an instant")
  void filters(VertxTestContext testContext) throws Exception {
    JsonArray staging = items(node.http().get("/v1/audit").addQueryParam("env", "staging"));
    JsonArray alice = items(node.http().get("/v1/audit").addQueryParam("updatedBy", "alice"));
    JsonArray underX = items(node.http().get("/v1/audit").addQueryParam("prefix", "services.x"));
    JsonArray afterTwo = items(node.http().get("/v1/audit").addQueryParam("since", "2"));
    JsonArray sinceTime = items(node.http().get("/v1/audit").addQueryParam("since", beforeLast.toString()));
    HttpResponse<Buffer> badSince = node.http().get("/v1/audit").addQueryParam("since", "yesterday").send().await();
    HttpResponse<Buffer> badEnv = node.http().get("/v1/audit").addQueryParam("env", "moon").send().await();
    testContext.verify(() -> {
      assertThat(revisions(staging)).containsExactly(4L);
      assertThat(revisions(alice)).containsExactly(1L, 3L);
      assertThat(revisions(underX)).containsExactly(1L, 2L, 3L);
      assertThat(revisions(afterTwo)).containsExactly(3L, 4L);
      assertThat(revisions(sinceTime)).containsExactly(4L);
      assertThat(badSince.statusCode()).isEqualTo(400);
      assertThat(badSince.getHeader("Content-Type")).isEqualTo("application/problem+json");
      assertThat(badEnv.statusCode()).isEqualTo(400);
    });
    testContext.completeNow();
  }

  @Test
  @DisplayName("pages with limit and an opaque cursor, ending with a null next")
  void pagination(VertxTestContext testContext) throws Exception {
    List<Long> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String cursor = null;
    do {
      HttpRequest<Buffer> request = node.http().get("/v1/audit").addQueryParam("limit", "3");
      if (cursor != null) {
        request.addQueryParam("cursor", cursor);
      }
      JsonObject page = request.send().await().bodyAsJsonObject();
      seen.addAll(revisions(page.getJsonArray("items")));
      pageSizes.add(page.getJsonArray("items").size());
      cursor = page.getString("next");
    } while (cursor != null);
    testContext.verify(() -> {
      assertThat(seen).containsExactly(1L, 2L, 3L, 4L);
      assertThat(pageSizes).containsExactly(3, 1);
    });
    testContext.completeNow();
  }

  private static void write(String key, String env, String actor, JsonObject body) {
    var response = node.as(tokens.get(actor)).http().put("/v1/config/" + key).addQueryParam("env", env)
        .sendJsonObject(body).await();
    assertThat(response.statusCode()).isEqualTo(200);
  }

  private static JsonArray items(HttpRequest<Buffer> request) {
    HttpResponse<Buffer> response = request.send().await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray("items");
  }

  private static List<Long> revisions(JsonArray items) {
    return items.stream().map(item -> ((JsonObject) item).getLong("revision")).toList();
  }
}
