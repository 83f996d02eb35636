package io.configd.api;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.auth.AdminBootstrap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The configuration API")
class ConfigApiTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ConfigApiTest");


  @Test
  @DisplayName("a PUT stores version 1 and returns the record with its ETag")
  void putCreates() {
    var response = NODE.node().call(HttpMethod.PUT, "/v1/config/services.payment.database_url?env=production",
        new JsonObject().put("value", "jdbc:postgresql://db/pay").put("comment", "first").put("critical", true),
        "Authorization", "Bearer " + NODE.node().createToken("alice", "production", "services", "write"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("ETag")).isEqualTo("\"1\"");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("key")).isEqualTo("services.payment.database_url");
    assertThat(body.getString("env")).isEqualTo("production");
    assertThat(body.getValue("value")).isEqualTo("jdbc:postgresql://db/pay");
    assertThat(body.getInteger("version")).isEqualTo(1);
    assertThat(body.getLong("revision")).isPositive();
    assertThat(body.getString("updatedBy")).isEqualTo("alice");
    assertThat(body.getBoolean("critical")).isTrue();
    assertThat(body.getString("comment")).isEqualTo("first");
    assertThat(body.getString("updatedAt")).isNotBlank();
  }

  @Test
  @DisplayName("a GET returns the current value, any JSON, with its version as ETag, and 304 when it matches")
  void getAndConditionalGet() {
    JsonObject value = new JsonObject().put("pool", new JsonObject().put("max", 20)).put("hosts", new JsonArray().add("a"));
    NODE.node().put("get.structured", "staging", value);
    NODE.node().put("get.structured", "staging", value.copy().put("pool", 30));

    var response = NODE.node().get("/v1/config/get.structured?env=staging");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("ETag")).isEqualTo("\"2\"");
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getValue("value")).isEqualTo(value.copy().put("pool", 30));
    assertThat(body.getString("updatedBy")).isEqualTo(AdminBootstrap.NAME); // the principal of the writes
    assertThat(body.getBoolean("critical")).isFalse();

    var notModified = NODE.node().get("/v1/config/get.structured?env=staging", "If-None-Match", "\"2\"");
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(notModified.getHeader("ETag")).isEqualTo("\"2\"");
    assertThat(NODE.node().get("/v1/config/get.structured?env=staging", "If-None-Match", "\"1\"").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("values are kept per environment: the same key in two environments is two keys")
  void environmentsAreSeparate() {
    NODE.node().put("env.separate", "development", 1);
    assertProblem(NODE.node().get("/v1/config/env.separate?env=production"), 404, "not-found");
    assertThat(NODE.node().get("/v1/config/env.separate?env=development").bodyAsJsonObject().getValue("value")).isEqualTo(1);
  }

  @Test
  @DisplayName("scalars of every JSON type round-trip unchanged")
  void scalarsRoundTrip() {
    for (Object value : List.of("text", 42, 3.5, true, false, new JsonArray().add(1).add("x"), "")) {
      NODE.node().put("roundtrip.value", "development", value);
      assertThat(NODE.node().get("/v1/config/roundtrip.value?env=development").bodyAsJsonObject().getValue("value"))
          .isEqualTo(value);
    }
  }

  @Test
  @DisplayName("If-Match makes a write a compare-and-set: the matching version wins, a stale one gets 412")
  void ifMatch() {
    NODE.node().put("cas.key", "development", "a");
    var won = NODE.node().call(HttpMethod.PUT, "/v1/config/cas.key?env=development", new JsonObject().put("value", "b"),
        "If-Match", "\"1\"");
    assertThat(won.statusCode()).isEqualTo(200);
    assertThat(won.bodyAsJsonObject().getInteger("version")).isEqualTo(2);

    var lost = NODE.node().call(HttpMethod.PUT, "/v1/config/cas.key?env=development", new JsonObject().put("value", "c"),
        "If-Match", "\"1\"");
    assertThat(assertProblem(lost, 412, "precondition-failed").getString("detail")).contains("current version is 2");
    assertThat(NODE.node().get("/v1/config/cas.key?env=development").bodyAsJsonObject().getValue("value")).isEqualTo("b");

    var onAbsent = NODE.node().call(HttpMethod.PUT, "/v1/config/cas.absent?env=development", new JsonObject().put("value", 1),
        "If-Match", "\"1\"");
    assertProblem(onAbsent, 412, "precondition-failed");
    var anyOnAbsent = NODE.node().call(HttpMethod.PUT, "/v1/config/cas.absent?env=development",
        new JsonObject().put("value", 1), "If-Match", "*");
    assertProblem(anyOnAbsent, 412, "precondition-failed");
    assertProblem(NODE.node().get("/v1/config/cas.absent?env=development"), 404, "not-found");
  }

  @Test
  @DisplayName("If-None-Match: * makes a write create-only: 412 when the key exists, allowed again after a delete")
  void ifNoneMatch() {
    var created = NODE.node().call(HttpMethod.PUT, "/v1/config/create.only?env=development",
        new JsonObject().put("value", 1), "If-None-Match", "*");
    assertThat(created.statusCode()).isEqualTo(200);
    var again = NODE.node().call(HttpMethod.PUT, "/v1/config/create.only?env=development",
        new JsonObject().put("value", 2), "If-None-Match", "*");
    assertProblem(again, 412, "precondition-failed");

    assertThat(NODE.node().call(HttpMethod.DELETE, "/v1/config/create.only?env=development", null).statusCode()).isEqualTo(200);
    var recreated = NODE.node().call(HttpMethod.PUT, "/v1/config/create.only?env=development",
        new JsonObject().put("value", 3), "If-None-Match", "*");
    assertThat(recreated.statusCode()).isEqualTo(200);
    assertThat(recreated.bodyAsJsonObject().getInteger("version")).isEqualTo(3);
  }

  @Test
  @DisplayName("a DELETE records a tombstone version: the key reads 404, its history stays, versions go on")
  void deleteKeepsHistory() {
    NODE.node().put("delete.me", "development", "v1");
    var deleted = NODE.node().call(HttpMethod.DELETE, "/v1/config/delete.me?env=development", null, "If-Match", "\"1\"");
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(deleted.bodyAsJsonObject().getBoolean("deleted")).isTrue();
    assertThat(deleted.bodyAsJsonObject().getInteger("version")).isEqualTo(2);

    assertProblem(NODE.node().get("/v1/config/delete.me?env=development"), 404, "not-found");
    assertProblem(NODE.node().call(HttpMethod.DELETE, "/v1/config/delete.me?env=development", null), 404, "not-found");
    var history = NODE.node().get("/v1/config/delete.me/versions?env=development").bodyAsJsonObject().getJsonArray("items");
    assertThat(history).hasSize(2);
    assertThat(history.getJsonObject(0).getBoolean("deleted")).isTrue();
    assertThat(history.getJsonObject(1).getValue("value")).isEqualTo("v1");

    assertThat(NODE.node().put("delete.me", "development", "v3").bodyAsJsonObject().getInteger("version")).isEqualTo(3);
    assertProblem(NODE.node().call(HttpMethod.DELETE, "/v1/config/delete.never?env=development", null), 404, "not-found");
  }

  @Test
  @DisplayName("a DELETE honours If-Match")
  void deleteIfMatch() {
    NODE.node().put("delete.cas", "development", "v1");
    NODE.node().put("delete.cas", "development", "v2");
    assertProblem(NODE.node().call(HttpMethod.DELETE, "/v1/config/delete.cas?env=development", null, "If-Match", "\"1\""),
        412, "precondition-failed");
    assertThat(NODE.node().get("/v1/config/delete.cas?env=development").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("versions are listed newest first with cursor pagination, and one version can be read")
  void versions() {
    for (int i = 1; i <= 7; i++) {
      NODE.node().put("history.key", "development", "v" + i);
    }
    List<Integer> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var response = NODE.node().get("/v1/config/history.key/versions?env=development&limit=3"
          + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject page = response.bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getInteger("version")));
      cursor = page.getString("next");
      pages++;
    } while (cursor != null);
    assertThat(seen).containsExactly(7, 6, 5, 4, 3, 2, 1);
    assertThat(pages).isEqualTo(3);

    var exactlyOnePage = NODE.node().get("/v1/config/history.key/versions?env=development&limit=7").bodyAsJsonObject();
    assertThat(exactlyOnePage.getJsonArray("items")).hasSize(7);
    assertThat(exactlyOnePage.getString("next")).isNull();

    var third = NODE.node().get("/v1/config/history.key/versions/3?env=development");
    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(third.bodyAsJsonObject().getValue("value")).isEqualTo("v3");
    assertProblem(NODE.node().get("/v1/config/history.key/versions/8?env=development"), 404, "not-found");
    assertProblem(NODE.node().get("/v1/config/history.none/versions?env=development"), 404, "not-found");
  }

  @Test
  @DisplayName("a rollback writes a new version holding the old value; rolling back to a deletion is refused")
  void rollback() {
    NODE.node().put("rollback.key", "development", new JsonObject().put("url", "old"));
    NODE.node().put("rollback.key", "development", new JsonObject().put("url", "new"));
    var rolled = NODE.node().call(HttpMethod.POST, "/v1/config/rollback.key/rollback?env=development",
        new JsonObject().put("version", 1), "Authorization", "Bearer " + NODE.node().createToken("bob", "development", "", "write"));
    assertThat(rolled.statusCode()).isEqualTo(200);
    JsonObject body = rolled.bodyAsJsonObject();
    assertThat(body.getInteger("version")).isEqualTo(3);
    assertThat(body.getValue("value")).isEqualTo(new JsonObject().put("url", "old"));
    assertThat(body.getString("comment")).isEqualTo("rollback to version 1");
    assertThat(body.getString("updatedBy")).isEqualTo("bob");

    assertProblem(NODE.node().call(HttpMethod.POST, "/v1/config/rollback.key/rollback?env=development",
        new JsonObject().put("version", 9)), 404, "not-found");
    assertProblem(NODE.node().call(HttpMethod.POST, "/v1/config/rollback.key/rollback?env=development",
        new JsonObject().put("version", 1), "If-Match", "\"2\""), 412, "precondition-failed");

    NODE.node().call(HttpMethod.DELETE, "/v1/config/rollback.key?env=development", null);
    assertProblem(NODE.node().call(HttpMethod.POST, "/v1/config/rollback.key/rollback?env=development",
        new JsonObject().put("version", 4)), 409, "conflict");
  }

  @Test
  @DisplayName("the listing returns current entries under a prefix, segment-wise, paginated, without deleted keys")
  void listByPrefix() {
    for (String key : List.of("list.app.a", "list.app.b", "list.app.c", "list.app.d.e", "list.app", "list.apple",
        "list.other.x")) {
      NODE.node().put(key, "staging", key);
    }
    NODE.node().put("list.app.gone", "staging", 1);
    NODE.node().call(HttpMethod.DELETE, "/v1/config/list.app.gone?env=staging", null);

    List<String> keys = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = NODE.node().get("/v1/config?env=staging&prefix=list.app&limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor)).bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> keys.add(((JsonObject) item).getString("key")));
      cursor = page.getString("next");
    } while (cursor != null);
    assertThat(keys).containsExactly("list.app", "list.app.a", "list.app.b", "list.app.c", "list.app.d.e");

    assertThat(NODE.node().get("/v1/config?env=staging&prefix=list.nothing").bodyAsJsonObject().getJsonArray("items")).isEmpty();
    assertProblem(NODE.node().get("/v1/config?env=staging&prefix=list..app"), 400, "invalid-parameter");
  }

  @Test
  @DisplayName("the change stream returns every change after a revision, in order, filtered and paginated")
  void changes() {
    long start = NODE.node().get("/v1/changes?env=production&prefix=stream").bodyAsJsonObject().getLong("head");
    NODE.node().put("stream.a", "production", 1);
    NODE.node().put("stream.b", "production", 2);
    NODE.node().put("elsewhere.c", "production", 3);
    NODE.node().put("stream.a", "development", 4);
    NODE.node().call(HttpMethod.DELETE, "/v1/config/stream.a?env=production", null);

    List<String> seen = new ArrayList<>();
    long since = start;
    boolean more = true;
    long lastRevision = start;
    while (more) {
      JsonObject page = NODE.node().get("/v1/changes?env=production&prefix=stream&limit=1&since=" + since).bodyAsJsonObject();
      for (Object item : page.getJsonArray("items")) {
        JsonObject change = (JsonObject) item;
        assertThat(change.getLong("revision")).isGreaterThan(lastRevision);
        lastRevision = change.getLong("revision");
        seen.add(change.getString("key") + "@" + change.getInteger("version") + (change.getBoolean("deleted") ? "-" : ""));
        assertThat(change.fieldNames()).contains("key", "env", "value", "version", "revision", "updatedAt", "updatedBy",
            "deleted", "critical");
      }
      more = page.getBoolean("more");
      since = page.getLong("next");
    }
    assertThat(seen).containsExactly("stream.a@1", "stream.b@1", "stream.a@2-");

    JsonObject caughtUp = NODE.node().get("/v1/changes?env=production&prefix=stream&since=" + since).bodyAsJsonObject();
    assertThat(caughtUp.getJsonArray("items")).isEmpty();
    assertThat(caughtUp.getBoolean("more")).isFalse();
    assertThat(caughtUp.getLong("next")).isEqualTo(caughtUp.getLong("head"));
  }

  @Test
  @DisplayName("health answers while the process lives; ready says PostgreSQL is reachable and the node serving")
  void healthAndReady() {
    HttpResponse<Buffer> health = NODE.node().get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ready = NODE.node().get("/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("postgresql")).isEqualTo("UP");
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("node")).isEqualTo("SERVING");
  }
}
