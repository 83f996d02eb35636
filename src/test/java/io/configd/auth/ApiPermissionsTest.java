package io.configd.auth;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every route checks the grants of the token: read, write and admin; environment and whole-segment prefix boundaries. */
@ExtendWith(VertxExtension.class)
@DisplayName("Permissions on the HTTP API")
class ApiPermissionsTest {

  private static TestNode admin;
  private static TestNode reader;
  private static TestNode writer;
  private static TestNode productionAdmin;
  private static TestNode everyEnvReader;
  private static String writerToken;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    admin = TestNode.start(vertx, StreamTesting.streamConfig("ApiPermissionsTest")).await();
    reader = admin.as(admin.createToken("payment-reader", "production", "services.payment", "read"));
    writerToken = admin.createToken("payment-writer", "production", "services.payment", "write");
    writer = admin.as(writerToken);
    productionAdmin = admin.as(admin.createToken("production-admin", "production", "", "admin"));
    everyEnvReader = admin.as(admin.createToken("payment-reader-everywhere", "*", "services.payment", "read"));
    for (String key : List.of("services.payment.url", "services.payment.pool", "services.payment", "services.pay.x",
        "services.payments.y", "services.other.z")) {
      assertThat(admin.put(key, "production", key).statusCode()).isEqualTo(201);
    }
    assertThat(admin.put("services.payment.url", "staging", "staging-url").statusCode()).isEqualTo(201);
    Eventually.await("the audit log to hold all 7 changes", Duration.ofSeconds(30),
        () -> admin.get("/v1/audit?limit=100").bodyAsJsonObject().getJsonArray("items").size() == 7);
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.stop().await();
    }
  }

  @Test
  @DisplayName("read on production:services.payment reads the key, its versions and the keys below it, nothing beside it")
  void readBoundaries() {
    for (String uri : List.of("/v1/config/services.payment.url?env=production", "/v1/config/services.payment?env=production",
        "/v1/config/services.payment.url/versions?env=production", "/v1/config/services.payment.url/versions/1?env=production")) {
      assertThat(reader.get(uri).statusCode()).as(uri).isEqualTo(200);
    }
    for (String uri : List.of("/v1/config/services.pay.x?env=production", "/v1/config/services.payments.y?env=production",
        "/v1/config/services.other.z?env=production", "/v1/config/services.payment.url?env=staging",
        "/v1/config/services.pay.x/versions?env=production", "/v1/config/services.pay.x/versions/1?env=production")) {
      assertProblem(reader.get(uri), 403, "forbidden");
    }
  }

  @Test
  @DisplayName("read does not write; write writes inside its prefix only (services.pay is not services.payment) and changes nothing outside")
  void writeBoundaries() {
    long head = head();
    assertProblem(reader.put("services.payment.url", "production", "by-reader"), 403, "forbidden");
    assertProblem(reader.call(HttpMethod.DELETE, "/v1/config/services.payment.pool?env=production", null), 403, "forbidden");
    assertProblem(reader.call(HttpMethod.POST, "/v1/config/services.payment.url/rollback?env=production",
        new JsonObject().put("version", 1)), 403, "forbidden");
    assertProblem(writer.put("services.pay.x", "production", "outside"), 403, "forbidden");
    assertProblem(writer.put("services.payments.y", "production", "outside"), 403, "forbidden");
    assertProblem(writer.put("services", "production", "above"), 403, "forbidden");
    assertProblem(writer.put("services.payment.url", "staging", "other env"), 403, "forbidden");
    assertProblem(writer.call(HttpMethod.DELETE, "/v1/config/services.pay.x?env=production", null), 403, "forbidden");
    assertProblem(writer.call(HttpMethod.POST, "/v1/config/services.other.z/rollback?env=production",
        new JsonObject().put("version", 1)), 403, "forbidden");
    assertThat(head()).as("no refused write took a revision").isEqualTo(head);
    assertThat(admin.get("/v1/config/services.pay.x?env=production").bodyAsJsonObject().getValue("value"))
        .isEqualTo("services.pay.x");

    assertThat(writer.put("services.payment.new", "production", 1).statusCode()).isEqualTo(201);
    assertThat(writer.call(HttpMethod.POST, "/v1/config/services.payment.new/rollback?env=production",
        new JsonObject().put("version", 1)).statusCode()).isEqualTo(200);
    assertThat(writer.call(HttpMethod.DELETE, "/v1/config/services.payment.new?env=production", null).statusCode())
        .isEqualTo(200);
    assertThat(writer.get("/v1/config/services.payment.url?env=production").statusCode()).as("write includes read")
        .isEqualTo(200);
  }

  @Test
  @DisplayName("a 403 says which access on which environment and key is missing, and never echoes the token")
  void forbiddenDetail() {
    JsonObject problem = assertProblem(writer.put("services.pay.x", "production", 1), 403, "forbidden");
    assertThat(problem.getString("detail")).contains("payment-writer", "write access on production:services.pay.x")
        .doesNotContain(writerToken).doesNotContain(writerToken.substring(4, 20));
  }

  @Test
  @DisplayName("admin on one environment writes and reads all of it, but not another environment, tokens or node stats")
  void environmentAdmin() {
    assertThat(productionAdmin.put("anything.at.all", "production", 1).statusCode()).isEqualTo(201);
    assertThat(productionAdmin.get("/v1/config?env=production").statusCode()).isEqualTo(200);
    assertProblem(productionAdmin.put("anything.at.all", "staging", 1), 403, "forbidden");
    assertProblem(productionAdmin.get("/v1/tokens"), 403, "forbidden");
    assertProblem(productionAdmin.call(HttpMethod.POST, "/v1/tokens", new JsonObject().put("name", "x")
        .put("grants", new JsonArray().add(new JsonObject().put("env", "*").put("prefix", "").put("access", "admin")))),
        403, "forbidden");
    for (String stats : List.of("/v1/stats/bridge", "/v1/stats/cache", "/v1/stats/publisher", "/v1/stats/propagation",
        "/v1/stats/cluster")) {
      assertProblem(productionAdmin.get(stats), 403, "forbidden");
      assertProblem(reader.get(stats), 403, "forbidden");
      assertThat(admin.get(stats).statusCode()).as(stats).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("a listing returns only the keys the token may read, page by page, each once")
  void listingIsFiltered() {
    assertThat(listAll(reader, "production", "services")).containsExactly("services.payment", "services.payment.pool",
        "services.payment.url");
    assertThat(listAll(reader, "production", "")).containsExactly("services.payment", "services.payment.pool",
        "services.payment.url");
    assertThat(listAll(reader, "production", "services.payment.url")).containsExactly("services.payment.url");
    assertThat(listAll(everyEnvReader, "staging", "")).containsExactly("services.payment.url");
    assertThat(listAll(admin, "production", "services")).contains("services.pay.x", "services.payments.y");
    assertProblem(reader.get("/v1/config?env=production&prefix=services.pay"), 403, "forbidden");
    assertProblem(reader.get("/v1/config?env=staging"), 403, "forbidden");
  }

  @Test
  @DisplayName("the change stream returns only readable changes, in revision order, and a paged reader ends at the head")
  void changesAreFiltered() {
    List<String> keys = new ArrayList<>();
    List<Long> revisions = new ArrayList<>();
    long since = 0;
    JsonObject page;
    do {
      page = reader.get("/v1/changes?env=production&prefix=services&limit=1&since=" + since).bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> {
        keys.add(((JsonObject) item).getString("key"));
        revisions.add(((JsonObject) item).getLong("revision"));
      });
      since = page.getLong("next");
    } while (page.getBoolean("more"));
    assertThat(keys).isNotEmpty().allSatisfy(key -> assertThat(key).matches("services\\.payment(\\..*)?"));
    assertThat(keys).contains("services.payment.url", "services.payment.pool", "services.payment");
    assertThat(revisions).isSorted().doesNotHaveDuplicates();
    assertThat(page.getLong("next")).isEqualTo(page.getLong("head"));
    assertProblem(reader.get("/v1/changes?env=staging&since=0"), 403, "forbidden");
    assertProblem(reader.get("/v1/changes?env=production&prefix=services.other&since=0"), 403, "forbidden");
  }

  @Test
  @DisplayName("the audit log returns only rows the token may read; admin on everything reads all")
  void auditIsFiltered() {
    // other tests of this class write too, and audit rows arrive from Kafka later: read once they all have
    long head = head();
    Eventually.await("the audit log to reach revision " + head, Duration.ofSeconds(30), () -> {
      JsonArray rows = admin.get("/v1/audit?limit=1000").bodyAsJsonObject().getJsonArray("items");
      return !rows.isEmpty() && rows.getJsonObject(rows.size() - 1).getLong("revision") >= head;
    });
    JsonArray mine = reader.get("/v1/audit?limit=1000").bodyAsJsonObject().getJsonArray("items");
    assertThat(mine).isNotEmpty().allSatisfy(row -> {
      assertThat(((JsonObject) row).getString("env")).isEqualTo("production");
      assertThat(((JsonObject) row).getString("key")).matches("services\\.payment(\\..*)?");
    });
    JsonArray everywhere = everyEnvReader.get("/v1/audit?limit=1000").bodyAsJsonObject().getJsonArray("items");
    assertThat(everywhere).anySatisfy(row -> assertThat(((JsonObject) row).getString("env")).isEqualTo("staging"));
    assertThat(reader.get("/v1/audit?env=staging").bodyAsJsonObject().getJsonArray("items")).isEmpty();
    JsonArray all = admin.get("/v1/audit?limit=1000").bodyAsJsonObject().getJsonArray("items");
    assertThat(all).anySatisfy(row -> assertThat(((JsonObject) row).getString("key")).isEqualTo("services.pay.x"));

    List<Long> paged = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<Buffer> response = reader.get("/v1/audit?limit=1" + (cursor == null ? "" : "&cursor=" + cursor));
      JsonObject page = response.bodyAsJsonObject();
      page.getJsonArray("items").forEach(row -> paged.add(((JsonObject) row).getLong("revision")));
      cursor = page.getString("next");
    } while (cursor != null);
    assertThat(paged).containsExactlyElementsOf(mine.stream().map(row -> ((JsonObject) row).getLong("revision")).toList());
  }

  @Test
  @DisplayName("GET /v1/whoami tells a token its name and grants and the deployment's environments, and needs a token")
  void whoami() {
    JsonObject me = reader.get("/v1/whoami").bodyAsJsonObject();
    assertThat(me.getString("name")).isEqualTo("payment-reader");
    assertThat(me.getJsonArray("grants")).containsExactly(
        new JsonObject().put("env", "production").put("prefix", "services.payment").put("access", "read"));
    assertThat(me.getJsonArray("environments")).containsExactly("development", "staging", "production");
    assertThat(me.getString("tokenId")).isNotBlank();
    assertThat(me.getValue("expiresAt")).isNull();
    assertProblem(admin.as(null).get("/v1/whoami"), 401, "unauthorized");
  }

  private static List<String> listAll(TestNode as, String env, String prefix) {
    List<String> keys = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<Buffer> response = as.get("/v1/config?env=" + env + "&prefix=" + prefix + "&limit=1"
          + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      JsonObject page = response.bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> keys.add(((JsonObject) item).getString("key")));
      cursor = page.getString("next");
    } while (cursor != null);
    return keys;
  }

  private static long head() {
    return admin.get("/v1/changes?env=production&prefix=nothing.here").bodyAsJsonObject().getLong("head");
  }
}
