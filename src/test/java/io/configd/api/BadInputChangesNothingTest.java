package io.configd.api;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** DESIGN.md invariant 6: bad input gets a clear application/problem+json error and changes nothing. */
@ExtendWith(VertxExtension.class)
@DisplayName("Bad input changes nothing")
class BadInputChangesNothingTest {

  private static final int MAX_VALUE = 1024;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("BadInputChangesNothingTest");
    config.getJsonObject("http").put("maxValueBytes", MAX_VALUE);
    node = TestNode.start(vertx, config).await();
    node.put("existing.key", "production", "original");
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("keys outside the grammar are refused with invalid-key")
  void invalidKeys() {
    for (String key : new String[] {"a..b", ".a", "a.", "a%20b", "a%2Fb", "caf%C3%A9", "x".repeat(257), "a$b"}) {
      expectRejected(() -> node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
          new JsonObject().put("value", 1)), 400, "invalid-key");
      assertProblem(node.get("/v1/config/" + key + "?env=production"), 400, "invalid-key");
    }
    assertThat(node.put("x".repeat(256), "production", 1).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("a missing or unknown environment is refused and the detail lists the allowed ones")
  void unknownEnvironment() {
    JsonObject problem = expectRejected(() -> node.call(HttpMethod.PUT, "/v1/config/existing.key?env=prod",
        new JsonObject().put("value", 1)), 400, "unknown-environment");
    assertThat(problem.getString("detail")).contains("development", "staging", "production");
    expectRejected(() -> node.call(HttpMethod.PUT, "/v1/config/existing.key", new JsonObject().put("value", 1)),
        400, "unknown-environment");
    assertProblem(node.get("/v1/changes"), 400, "unknown-environment");
  }

  @Test
  @DisplayName("malformed JSON, a body that is not an object, a missing or null value, unknown members and wrong types are refused")
  void invalidBodies() {
    String uri = "/v1/config/existing.key?env=production";
    String json = "application/json";
    expectRejected(() -> node.call(HttpMethod.PUT, uri, "{\"value\": ", "Content-Type", json), 400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.PUT, uri, "[1, 2]", "Content-Type", json), 400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.PUT, uri, "", "Content-Type", json), 400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.PUT, uri, new JsonObject()), 400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.PUT, uri, new JsonObject().putNull("value")), 400, "invalid-body");
    JsonObject unknown = expectRejected(() -> node.call(HttpMethod.PUT, uri,
        new JsonObject().put("value", 1).put("valu", 2)), 400, "invalid-body");
    assertThat(unknown.getString("detail")).contains("valu").contains("comment, critical, secret, value");
    expectRejected(() -> node.call(HttpMethod.PUT, uri, new JsonObject().put("value", 1).put("critical", "yes")),
        400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.PUT, uri, new JsonObject().put("value", 1).put("comment", 5)),
        400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.PUT, uri, "value=1", "Content-Type", "application/x-www-form-urlencoded"),
        415, "unsupported-media-type");
    expectRejected(() -> node.call(HttpMethod.POST, "/v1/config/existing.key/rollback?env=production",
        new JsonObject().put("version", "one")), 400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.POST, "/v1/config/existing.key/rollback?env=production",
        new JsonObject().put("version", 0)), 400, "invalid-body");
  }

  @Test
  @DisplayName("a value over the configured size gets 413, whether the body or only the value is too big")
  void tooLarge() {
    String uri = "/v1/config/existing.key?env=production";
    JsonObject problem = expectRejected(() -> node.call(HttpMethod.PUT, uri,
        new JsonObject().put("value", "x".repeat(MAX_VALUE))), 413, "value-too-large");
    assertThat(problem.getString("detail")).contains(Integer.toString(MAX_VALUE));
    expectRejected(() -> node.call(HttpMethod.PUT, uri,
        new JsonObject().put("value", "x".repeat(MAX_VALUE + 70 * 1024))), 413, "value-too-large");
    assertThat(node.call(HttpMethod.PUT, "/v1/config/small.enough?env=production",
        new JsonObject().put("value", "x".repeat(MAX_VALUE - 2))).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("non-numeric versions, limits, cursors and revisions are refused")
  void invalidParameters() {
    expectRejected(() -> node.call(HttpMethod.PUT, "/v1/config/existing.key?env=production",
        new JsonObject().put("value", 1), "If-Match", "\"abc\""), 400, "invalid-parameter");
    expectRejected(() -> node.call(HttpMethod.PUT, "/v1/config/existing.key?env=production",
        new JsonObject().put("value", 1), "If-None-Match", "\"3\""), 400, "invalid-parameter");
    assertProblem(node.get("/v1/config/existing.key/versions/abc?env=production"), 400, "invalid-parameter");
    assertProblem(node.get("/v1/config/existing.key/versions/0?env=production"), 400, "invalid-parameter");
    assertProblem(node.get("/v1/config/existing.key/versions?env=production&limit=0"), 400, "invalid-parameter");
    assertProblem(node.get("/v1/config/existing.key/versions?env=production&limit=1001"), 400, "invalid-parameter");
    assertProblem(node.get("/v1/config/existing.key/versions?env=production&cursor=!!!"), 400, "invalid-parameter");
    assertProblem(node.get("/v1/changes?env=production&since=-1"), 400, "invalid-parameter");
    assertProblem(node.get("/v1/changes?env=production&since=ten"), 400, "invalid-parameter");
    assertProblem(node.get("/v1/config/existing.key?env=production", "If-None-Match", "W/x"), 400, "invalid-parameter");
  }

  @Test
  @DisplayName("U+0000 in a value, a member name, a comment, a token name, a cursor or a query parameter is a 400 at the "
      + "edge, and PostgreSQL is still reachable after it")
  void nulBytesNeverReachPostgresql() {
    String uri = "/v1/config/existing.key?env=production";
    String json = "application/json";
    for (String body : List.of("{\"value\": \"a\\u0000b\"}", "{\"value\": {\"a\\u0000\": 1}}",
        "{\"value\": [\"\\u0000\"]}", "{\"value\": 1, \"comment\": \"x\\u0000\"}")) {
      JsonObject problem = expectRejected(() -> node.call(HttpMethod.PUT, uri, body, "Content-Type", json), 400,
          "invalid-body");
      assertThat(problem.getString("detail")).as(body).contains("U+0000");
    }
    expectRejected(() -> node.call(HttpMethod.POST, "/v1/config/existing.key/rollback?env=production",
        "{\"version\": 1, \"comment\": \"\\u0000\"}", "Content-Type", json), 400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.POST, "/v1/tokens", "{\"name\": \"a\\u0000\", \"grants\": [{\"env\": "
        + "\"production\", \"prefix\": \"\", \"access\": \"read\"}]}", "Content-Type", json), 400, "invalid-body");
    expectRejected(() -> node.call(HttpMethod.DELETE, uri + "&comment=%00", null), 400, "invalid-parameter");
    String nul = Base64.getUrlEncoder().withoutPadding().encodeToString("a\0".getBytes(StandardCharsets.UTF_8));
    assertProblem(node.get("/v1/config?env=production&prefix=existing&cursor=" + nul), 400, "invalid-parameter");
    assertProblem(node.get("/v1/config/existing.key/versions?env=production&cursor=" + nul), 400, "invalid-parameter");
    assertProblem(node.get("/v1/audit?actor=%00"), 400, "invalid-parameter");
    assertProblem(node.get("/v1/audit?env=production&prefix=existing&cursor=" + nul), 400, "invalid-parameter");
    assertProblem(node.get("/v1/config?env=production&prefix=a%00"), 400, "invalid-parameter");

    assertThat(node.get("/ready").statusCode()).isEqualTo(200);
    JsonObject cache = node.get("/v1/stats/cache").bodyAsJsonObject();
    assertThat(cache.getJsonObject("postgresql").getBoolean("up")).as(cache.encode()).isTrue();
    assertThat(node.get("/v1/config?env=production&prefix=existing").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("values keep their JSON type: numbers beyond a double, lone surrogates and bytes that are not UTF-8 "
      + "(overlong, encoded surrogates) are refused, and a stored value reads back as it was sent")
  void valuesAreStoredAsSent() {
    String uri = "/v1/config/existing.key?env=production";
    String json = "application/json";
    for (String value : List.of("1e999999", "-1e999999", "1e-999999", "-2.5e-400", "\"\\ud800\"", "\"a\\udc00b\"",
        "{\"\\ud83d\": 1}")) {
      expectRejected(() -> node.call(HttpMethod.PUT, uri, "{\"value\": " + value + "}", "Content-Type", json), 400,
          "invalid-body");
    }
    for (byte[] bytes : List.of(new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3})) {
      Buffer body = Buffer.buffer("{\"value\": \"").appendBytes(bytes).appendString("\"}");
      JsonObject problem = expectRejected(() -> node.call(HttpMethod.PUT, uri, body, "Content-Type", json), 400,
          "invalid-body");
      assertThat(problem.getString("detail")).contains("UTF-8");
    }

    String sent = "{\"s\": \"caf\u00e9 \\ud83d\\ude00 \\u00e9 /\", \"big\": 12345678901234567890, \"n\": -7, "
        + "\"f\": 1.5, \"tiny\": 4.9e-324, \"t\": true, \"nothing\": null, "
        + "\"list\": [0, -0.25, \"\"]}";
    var written = node.call(HttpMethod.PUT, "/v1/config/exact.value?env=production", "{\"value\": " + sent + "}",
        "Content-Type", json);
    assertThat(written.statusCode()).as(written.bodyAsString()).isEqualTo(201);
    Object read = node.get("/v1/config/exact.value?env=production").bodyAsJsonObject().getValue("value");
    assertThat(read).isEqualTo(new JsonObject(sent));
    assertThat(((JsonObject) read).getString("s")).isEqualTo("caf\u00e9 \ud83d\ude00 \u00e9 /");
    assertThat(((JsonObject) read).getValue("big")).isEqualTo(new BigInteger("12345678901234567890"));
  }

  @Test
  @DisplayName("a write body must be sent as application/json, without a byte-order mark and without comments")
  void strictWriteBodies() {
    String uri = "/v1/config/existing.key?env=production";
    expectRejected(() -> node.call(HttpMethod.PUT, uri, "{\"value\": 2}"), 415, "unsupported-media-type");
    expectRejected(() -> node.call(HttpMethod.PUT, uri, "{\"value\": 2}", "Content-Type", "text/plain"), 415,
        "unsupported-media-type");
    expectRejected(() -> node.call(HttpMethod.POST, "/v1/config/existing.key/rollback?env=production",
        "{\"version\": 1}"), 415, "unsupported-media-type");
    Buffer bom = Buffer.buffer(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}).appendString("{\"value\": 2}");
    JsonObject problem = expectRejected(() -> node.call(HttpMethod.PUT, uri, bom, "Content-Type", "application/json"),
        400, "invalid-body");
    assertThat(problem.getString("detail")).contains("byte-order mark");
    for (String commented : List.of("{\"value\": 2 /* two */}", "{\"value\": 2} // two", "# two\n{\"value\": 2}",
        "{'value': 2}", "{\"value\": 2,}", "{\"value\": NaN}", "{\"value\": 1, \"value\": 2}")) {
      expectRejected(() -> node.call(HttpMethod.PUT, uri, commented, "Content-Type", "application/json"), 400,
          "invalid-body");
    }
    assertThat(node.call(HttpMethod.PUT, "/v1/config/typed.json?env=production", "{\"value\": 2}", "Content-Type",
        "application/json; charset=utf-8").statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("unknown paths and methods get problem+json too")
  void unknownRoutes() {
    assertProblem(node.get("/v1/nothing"), 404, "not-found");
    assertProblem(node.call(HttpMethod.PATCH, "/v1/config/existing.key?env=production", null), 405, "method-not-allowed");
  }

  /** Runs the request, checks the problem, and checks the store did not move: same head revision, same value. */
  private static JsonObject expectRejected(Supplier<HttpResponse<Buffer>> request, int status, String type) {
    long headBefore = head();
    JsonObject problem = assertProblem(request.get(), status, type);
    assertThat(head()).as("head revision after a refused request").isEqualTo(headBefore);
    var current = node.get("/v1/config/existing.key?env=production").bodyAsJsonObject();
    assertThat(current.getValue("value")).isEqualTo("original");
    assertThat(current.getInteger("version")).isEqualTo(1);
    return problem;
  }

  private static long head() {
    return node.get("/v1/changes?env=production&prefix=nothing.here").bodyAsJsonObject().getLong("head");
  }
}
