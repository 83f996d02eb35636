package io.configd.auth;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.configd.Eventually;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** Tokens configd issues: created, used, listed without their secret, revoked, expired; and every way a bearer is refused. */
@ExtendWith(VertxExtension.class)
@DisplayName("Token lifecycle and authentication")
class TokenLifecycleTest {

  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  private static final Logger ROOT = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private static JsonObject config;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) {
    LOGS.start();
    ROOT.addAppender(LOGS);
    config = StreamTesting.streamConfig("TokenLifecycleTest");
    // this class presents many wrong tokens on purpose; RateLimitTest covers the limit itself
    config.getJsonObject("auth").put("limits", new JsonObject().put("failedAuthBurst", 1000));
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    ROOT.detachAppender(LOGS);
    if (node != null) {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("/health and /ready need no token; every /v1 route answers 401 with WWW-Authenticate: Bearer without one")
  void tokenRequired() {
    TestNode anonymous = node.as(null);
    assertThat(anonymous.get("/health").statusCode()).isEqualTo(200);
    assertThat(anonymous.get("/ready").statusCode()).isEqualTo(200);
    for (String uri : List.of("/v1/config/a?env=production", "/v1/config?env=production", "/v1/changes?env=production",
        "/v1/audit", "/v1/tokens", "/v1/stats/cache", "/v1/stats/bridge", "/v1/config/a/versions?env=production",
        "/v1/nothing")) {
      HttpResponse<Buffer> response = anonymous.get(uri);
      assertProblem(response, 401, "unauthorized");
      assertThat(response.getHeader("WWW-Authenticate")).as(uri).startsWith("Bearer");
    }
    assertProblem(anonymous.put("a", "production", 1), 401, "unauthorized");
    assertProblem(anonymous.call(HttpMethod.DELETE, "/v1/config/a?env=production", null), 401, "unauthorized");
  }

  @Test
  @DisplayName("a malformed header, an unknown token and a token that is not ours are refused, and nothing is written")
  void malformedAndUnknown() {
    long head = head();
    String unknown = ApiTokens.generate();
    for (String header : List.of("Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer ", "bearer\tx", "Token " + unknown, unknown,
        "Bearer " + unknown, "Bearer cfd_short", "Bearer not-a-jwt", "Bearer a.b.c")) {
      HttpResponse<Buffer> response = node.call(HttpMethod.PUT, "/v1/config/refused.key?env=production",
          new JsonObject().put("value", 1), "Authorization", header);
      JsonObject problem = assertProblem(response, 401, "unauthorized");
      assertThat(problem.getString("detail")).as(header).doesNotContain(unknown);
    }
    assertThat(head()).isEqualTo(head);
    assertProblem(node.get("/v1/config/refused.key?env=production"), 404, "not-found");
  }

  @Test
  @DisplayName("create, use, list without the secret, revoke: the revoked token is refused at once")
  void lifecycle() {
    HttpResponse<Buffer> created = node.call(HttpMethod.POST, "/v1/tokens", new JsonObject().put("name", "deploy-bot")
        .put("grants", new JsonArray().add(grant("staging", "apps.shop", "write"))).put("expiresIn", "P30D"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject body = created.bodyAsJsonObject();
    String token = body.getString("token");
    String id = body.getString("id");
    assertThat(token).startsWith("cfd_").hasSize(47);
    assertThat(created.getHeader("Location")).isEqualTo("/v1/tokens/" + id);
    assertThat(body.getJsonArray("grants")).containsExactly(grant("staging", "apps.shop", "write"));
    assertThat(Instant.parse(body.getString("expiresAt"))).isBetween(Instant.now().plus(Duration.ofDays(29)),
        Instant.now().plus(Duration.ofDays(31)));
    assertThat(body.getString("createdBy")).isEqualTo(AdminBootstrap.NAME);

    TestNode bot = node.as(token);
    HttpResponse<Buffer> written = bot.put("apps.shop.color", "staging", "blue", "X-Configd-Actor", "someone-else");
    assertThat(written.statusCode()).isEqualTo(201);
    assertThat(written.bodyAsJsonObject().getString("updatedBy")).as("the principal, not X-Configd-Actor")
        .isEqualTo("deploy-bot");

    HttpResponse<Buffer> listed = node.get("/v1/tokens");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.bodyAsString()).doesNotContain(token).doesNotContain(ApiTokens.hash(token))
        .doesNotContain(node.adminToken()).doesNotContain(ApiTokens.hash(node.adminToken()));
    JsonObject listedBot = find(listed.bodyAsJsonObject().getJsonArray("items"), id);
    assertThat(listedBot.getString("name")).isEqualTo("deploy-bot");
    assertThat(listedBot.getString("lastUsedAt")).isNotNull();
    assertThat(listedBot.getString("revokedAt")).isNull();
    assertThat(listedBot.containsKey("token")).isFalse();

    HttpResponse<Buffer> revoked = node.call(HttpMethod.DELETE, "/v1/tokens/" + id, null);
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(revoked.bodyAsJsonObject().getString("revokedAt")).isNotNull();
    JsonObject problem = assertProblem(bot.get("/v1/config/apps.shop.color?env=staging"), 401, "unauthorized");
    assertThat(problem.getString("detail")).contains("revoked").doesNotContain(token);
    assertThat(find(node.get("/v1/tokens").bodyAsJsonObject().getJsonArray("items"), id).getString("revokedAt")).isNotNull();
    assertProblem(node.call(HttpMethod.DELETE, "/v1/tokens/00000000-0000-0000-0000-000000000000", null), 404, "not-found");
    assertProblem(node.call(HttpMethod.DELETE, "/v1/tokens/not-a-uuid", null), 404, "not-found");
  }

  @Test
  @DisplayName("an expired token is refused")
  void expired() throws Exception {
    HttpResponse<Buffer> created = node.call(HttpMethod.POST, "/v1/tokens", new JsonObject().put("name", "short-lived")
        .put("grants", new JsonArray().add(grant("*", "", "read"))).put("expiresIn", 3600));
    String id = created.bodyAsJsonObject().getString("id");
    StreamTesting.execute(config, "update api_token set expires_at = now() - interval '1 second' where id = '" + id + "'");
    JsonObject problem = assertProblem(node.as(created.bodyAsJsonObject().getString("token")).get("/v1/audit"), 401,
        "unauthorized");
    assertThat(problem.getString("detail")).contains("expired");
  }

  @Test
  @DisplayName("token creation is validated strictly and a refused request creates nothing")
  void strictValidation() {
    int before = node.get("/v1/tokens").bodyAsJsonObject().getJsonArray("items").size();
    JsonArray ok = new JsonArray().add(grant("production", "services", "read"));
    for (JsonObject bad : List.of(
        new JsonObject().put("grants", ok),
        new JsonObject().put("name", "").put("grants", ok),
        new JsonObject().put("name", "x").put("grants", new JsonArray()),
        new JsonObject().put("name", "x"),
        new JsonObject().put("name", "x").put("grants", ok).put("admin", true),
        new JsonObject().put("name", "x").put("grants", new JsonArray().add(grant("production", "services", "root"))),
        new JsonObject().put("name", "x").put("grants", new JsonArray().add(grant("moon", "services", "read"))),
        new JsonObject().put("name", "x").put("grants", new JsonArray().add(grant("production", "a..b", "read"))),
        new JsonObject().put("name", "x").put("grants", new JsonArray().add("production:services")),
        new JsonObject().put("name", "x").put("grants", ok).put("expiresIn", -5),
        new JsonObject().put("name", "x").put("grants", ok).put("expiresIn", "tomorrow"),
        new JsonObject().put("name", "x").put("grants", ok).put("expiresIn", 1.5))) {
      assertProblem(node.call(HttpMethod.POST, "/v1/tokens", bad), 400, "invalid-body");
    }
    assertProblem(node.call(HttpMethod.POST, "/v1/tokens", "not json", "Content-Type", "application/json"), 400,
        "invalid-body");
    assertThat(node.get("/v1/tokens").bodyAsJsonObject().getJsonArray("items")).hasSize(before);
  }

  @Test
  @DisplayName("tokens never reach the log, problem details or audit rows")
  void secretsStayOut() throws Exception {
    String token = node.createToken("auditor", "production", "secret", "write");
    List<String> secrets = List.of(token, ApiTokens.hash(token), node.adminToken(), ApiTokens.hash(node.adminToken()));
    List<String> answers = new ArrayList<>();
    answers.add(node.as(token).put("secret.db.password", "production", "hunter2").bodyAsString());
    answers.add(node.as(token).put("elsewhere", "production", 1).bodyAsString());
    answers.add(node.as(token + "x").get("/v1/config/secret.db.password?env=production").bodyAsString());
    answers.add(node.call(HttpMethod.GET, "/v1/audit", null, "Authorization", "Bearer " + token.substring(0, 30)).bodyAsString());
    answers.add(node.call(HttpMethod.GET, "/v1/audit", null, "Authorization", token).bodyAsString());
    Eventually.await("the audit row of the write", Duration.ofSeconds(30),
        () -> node.get("/v1/audit?prefix=secret").bodyAsJsonObject().getJsonArray("items").size() == 1);
    answers.add(node.get("/v1/audit").bodyAsString());
    answers.add(node.get("/v1/changes?env=production&since=0").bodyAsString());
    answers.addAll(StreamTesting.queryRows(config, "select * from audit_log").stream().map(Object::toString).toList());
    assertThat(String.join("\n", answers)).contains("auditor");
    List<String> logged = LOGS.list.stream().map(event -> event.getFormattedMessage()
        + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage())).toList();
    for (String secret : secrets) {
      assertThat(answers).noneSatisfy(answer -> assertThat(answer).contains(secret));
      assertThat(logged).noneSatisfy(line -> assertThat(line).contains(secret));
    }
  }

  private static JsonObject grant(String env, String prefix, String access) {
    return new JsonObject().put("env", env).put("prefix", prefix).put("access", access);
  }

  @Test
  @DisplayName("the token list is paged as every listing: {items, next}, next null on the last page")
  void tokensArePaged() {
    for (int i = 0; i < 3; i++) {
      node.createToken("paged-" + i, "production", "paged", "read");
    }
    List<String> names = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = node.get("/v1/tokens?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).bodyAsJsonObject();
      assertThat(page.getJsonArray("items").size()).isLessThanOrEqualTo(2);
      page.getJsonArray("items").forEach(item -> names.add(((JsonObject) item).getString("name")));
      cursor = page.getString("next");
      pages++;
    } while (cursor != null);
    assertThat(names).contains("paged-0", "paged-1", "paged-2").doesNotHaveDuplicates();
    assertThat(pages).isEqualTo((names.size() + 1) / 2);
    assertProblem(node.get("/v1/tokens?cursor=bm90LWEtdXVpZA"), 400, "invalid-parameter");
  }

  private static JsonObject find(JsonArray items, String id) {
    return items.stream().map(JsonObject.class::cast).filter(item -> id.equals(item.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no token " + id + " in " + items));
  }

  private static long head() {
    return node.get("/v1/changes?env=production&prefix=nothing.here").bodyAsJsonObject().getLong("head");
  }
}
