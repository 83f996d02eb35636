package io.configd.guard;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17 item 1 and DESIGN.md invariant 7: the JSON Schema of a prefix refuses a failing value on every path that
 * writes (PUT, rollback, POST /v1/txn, import), with a 422 naming each failing location and rule, and nothing written.
 */
@DisplayName("JSON Schemas guard every write path")
class SchemasGuardEveryWritePathTest {

  private static final JsonObject POOL_SCHEMA = new JsonObject("""
      {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
       "properties": {"pool_size": {"type": "integer", "minimum": 1}, "name": {"type": "string"}},
       "required": ["pool_size"]}""");
  private static final JsonObject BAD = new JsonObject().put("pool_size", "ten");
  private static final String JSON = "application/json";

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("SchemasGuardEveryWritePathTest", config ->
      config.getJsonObject("auth").put("limits", new JsonObject().put("writesPerSecond", 1_000_000)
          .put("writeBurst", 1_000_000).put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000)));

  private static JsonObject firstSchemaAnswer;

  @BeforeAll
  static void schemaOnPayment() {
    TestNode node = NODE.node();
    // written before the schema exists: history that a rollback could bring back, and a current value that fails it
    assertThat(node.put("services.payment.legacy", "production", BAD).statusCode()).isEqualTo(201);
    assertThat(node.put("services.payment.legacy", "production", new JsonObject().put("pool_size", 4)).statusCode())
        .isEqualTo(200);
    assertThat(node.put("services.payment.old", "production", BAD).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> put = putSchema("services.payment", "production", POOL_SCHEMA, "");
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(201);
    firstSchemaAnswer = put.bodyAsJsonObject();
  }

  @Test
  @DisplayName("PUT of {\"pool_size\": \"ten\"} under services.payment is a 422 naming /pool_size and the rule type; "
      + "nothing is written; a valid value passes")
  void put() {
    JsonObject problem = assertProblem(NODE.node().put("services.payment.db", "production", BAD), 422,
        "schema-violation");
    JsonArray errors = problem.getJsonArray("errors");
    assertThat(errors).hasSize(1);
    JsonObject error = errors.getJsonObject(0);
    assertThat(error.getString("key")).isEqualTo("services.payment.db");
    assertThat(error.getString("location")).isEqualTo("/pool_size");
    assertThat(error.getString("keyword")).isEqualTo("type");
    assertThat(error.getString("schemaLocation")).isEqualTo("/properties/pool_size/type");
    assertThat(error.getJsonObject("schema")).isEqualTo(new JsonObject().put("prefix", "services.payment")
        .put("env", "production").put("version", 1));
    assertThat(problem.getString("detail")).contains("/pool_size", "services.payment", "nothing was written");
    assertProblem(NODE.node().get("/v1/config/services.payment.db?env=production"), 404, "not-found");

    JsonObject several = assertProblem(NODE.node().put("services.payment.db", "production",
        new JsonObject().put("name", 7)), 422, "schema-violation");
    assertThat(several.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("keyword")).toList())
        .contains("required", "type");
    assertProblem(NODE.node().put("services.payment.db", "production", "not an object"), 422, "schema-violation");

    assertThat(NODE.node().put("services.payment.db", "production", new JsonObject().put("pool_size", 10))
        .statusCode()).isEqualTo(201);
    // the same key in another environment is not governed by production's schema
    assertThat(NODE.node().put("services.payment.db", "staging", BAD).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("a rollback to a version that breaks the schema is a 422, and the key stays at its version")
  void rollback() {
    HttpResponse<Buffer> response = NODE.node().call(HttpMethod.POST,
        "/v1/config/services.payment.legacy/rollback?env=production", new JsonObject().put("version", 1));
    JsonObject problem = assertProblem(response, 422, "schema-violation");
    assertThat(problem.getJsonArray("errors").getJsonObject(0).getString("location")).isEqualTo("/pool_size");
    assertThat(NODE.node().get("/v1/config/services.payment.legacy?env=production").bodyAsJsonObject()
        .getInteger("version")).isEqualTo(2);
  }

  @Test
  @DisplayName("a transaction with one failing put is a 422 naming that op; none of its ops is written")
  void txn() {
    JsonObject body = new JsonObject().put("ops", new JsonArray()
        .add(new JsonObject().put("op", "put").put("key", "services.other.x").put("value", 1))
        .add(new JsonObject().put("op", "put").put("key", "services.payment.txn").put("value", BAD)));
    JsonObject problem = assertProblem(NODE.node().call(HttpMethod.POST, "/v1/txn?env=production", body), 422,
        "schema-violation");
    JsonObject error = problem.getJsonArray("errors").getJsonObject(0);
    assertThat(error.getInteger("op")).isEqualTo(1);
    assertThat(error.getString("key")).isEqualTo("services.payment.txn");
    assertThat(error.getString("location")).isEqualTo("/pool_size");
    assertThat(problem.getString("detail")).startsWith("op 1 ('services.payment.txn')");
    assertProblem(NODE.node().get("/v1/config/services.other.x?env=production"), 404, "not-found");
    assertProblem(NODE.node().get("/v1/config/services.payment.txn?env=production"), 404, "not-found");
  }

  @Test
  @DisplayName("an import holding a failing value is a 422 naming its key; nothing of the file is written")
  void importFile() {
    JsonObject file = new JsonObject().put("services.payment.imported", new JsonObject().put("pool_size", 3))
        .put("services.payment.imported2", BAD);
    JsonObject problem = assertProblem(NODE.node().call(HttpMethod.POST,
        "/v1/import?env=production&prefix=services.payment.imported&format=json", file.encode(), "Content-Type", JSON),
        400, "invalid-body"); // imported2 is not under the prefix imported: the file is refused before any schema
    assertThat(problem.getString("detail")).contains("services.payment.imported2");
    JsonObject file2 = new JsonObject().put("services.payment.imp.a", new JsonObject().put("pool_size", 3))
        .put("services.payment.imp.b", BAD);
    // the dry run says so too, rather than promising an import that would be refused
    assertProblem(NODE.node().call(HttpMethod.POST,
        "/v1/import?env=production&prefix=services.payment.imp&format=json&dryRun=true", file2.encode(),
        "Content-Type", JSON), 422, "schema-violation");
    JsonObject refused = assertProblem(NODE.node().call(HttpMethod.POST,
        "/v1/import?env=production&prefix=services.payment.imp&format=json", file2.encode(), "Content-Type", JSON),
        422, "schema-violation");
    assertThat(refused.getJsonArray("errors").getJsonObject(0).getString("key")).isEqualTo("services.payment.imp.b");
    assertThat(refused.getJsonArray("errors").getJsonObject(0).getString("location")).isEqualTo("/pool_size");
    assertProblem(NODE.node().get("/v1/config/services.payment.imp.a?env=production"), 404, "not-found");
  }

  @Test
  @DisplayName("an invalid schema document is a 400 invalid-schema and stores nothing")
  void invalidSchema() {
    List<JsonObject> invalid = List.of(
        new JsonObject().put("type", "obj"),
        new JsonObject().put("type", "object").put("minimum", "x"),
        new JsonObject().put("$ref", "#/$defs/missing"),
        new JsonObject().put("$ref", "https://example.com/elsewhere.json"),
        new JsonObject().put("$schema", "http://json-schema.org/draft-07/schema#").put("type", "object"));
    for (JsonObject document : invalid) {
      assertProblem(putSchema("services.invalid", "production", document, ""), 400, "invalid-schema");
    }
    assertProblem(NODE.node().call(HttpMethod.PUT, "/v1/schemas/services.invalid?env=production",
        new JsonObject().put("schema", "a string")), 400, "invalid-body");
    assertProblem(NODE.node().call(HttpMethod.PUT, "/v1/schemas/services.invalid?env=production",
        new JsonObject().put("schema", POOL_SCHEMA).put("shema", 1)), 400, "invalid-body");
    assertProblem(NODE.node().call(HttpMethod.PUT, "/v1/schemas/services..invalid?env=production",
        new JsonObject().put("schema", POOL_SCHEMA)), 400, "invalid-key");
    assertProblem(NODE.node().call(HttpMethod.PUT, "/v1/schemas/services.invalid?env=prod",
        new JsonObject().put("schema", POOL_SCHEMA)), 400, "unknown-environment");
    assertProblem(putSchema("services.invalid", "production", POOL_SCHEMA, "&enforce=sometimes"), 400,
        "invalid-parameter");
    assertProblem(NODE.node().get("/v1/schemas/services.invalid/versions?env=production"), 404, "not-found");
    assertThat(NODE.node().put("services.invalid.x", "production", BAD).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("adding a schema reports the current values that break it; with enforce=existing it is refused and "
      + "nothing changes")
  void existingValues() {
    assertThat(firstSchemaAnswer.getInteger("failingCount")).isEqualTo(1);
    JsonObject failing = firstSchemaAnswer.getJsonArray("failing").getJsonObject(0);
    assertThat(failing.getString("key")).isEqualTo("services.payment.old");
    assertThat(failing.getString("env")).isEqualTo("production");
    assertThat(failing.getJsonArray("errors").getJsonObject(0).getString("location")).isEqualTo("/pool_size");

    assertThat(NODE.node().put("services.enforced.a", "staging", BAD).statusCode()).isEqualTo(201);
    assertThat(NODE.node().put("services.enforced.b", "staging", new JsonObject().put("pool_size", 1)).statusCode())
        .isEqualTo(201);
    JsonObject refused = assertProblem(putSchema("services.enforced", null, POOL_SCHEMA, "&enforce=existing"), 422,
        "schema-violation");
    assertThat(refused.getInteger("failingCount")).isEqualTo(1);
    assertThat(refused.getJsonArray("failing").getJsonObject(0).getString("key")).isEqualTo("services.enforced.a");
    assertProblem(NODE.node().get("/v1/schemas/services.enforced"), 404, "not-found");
    assertThat(NODE.node().put("services.enforced.c", "staging", BAD).statusCode()).isEqualTo(201);

    // fixed, the schema is accepted for every environment, and then holds in each
    assertThat(NODE.node().put("services.enforced.a", "staging", new JsonObject().put("pool_size", 2)).statusCode())
        .isEqualTo(200);
    assertThat(NODE.node().call(HttpMethod.DELETE, "/v1/config/services.enforced.c?env=staging", null).statusCode())
        .isEqualTo(200);
    HttpResponse<Buffer> accepted = putSchema("services.enforced", null, POOL_SCHEMA, "&enforce=existing");
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    assertThat(accepted.bodyAsJsonObject().getString("env")).isEqualTo("*");
    assertThat(accepted.bodyAsJsonObject().getInteger("failingCount")).isZero();
    assertProblem(NODE.node().put("services.enforced.d", "development", BAD), 422, "schema-violation");
  }

  @Test
  @DisplayName("the nearest prefix's schema wins, an environment's own beats the one for all, and a removed schema "
      + "stops refusing")
  void nearestWins() {
    assertThat(putSchema("services.near", null, new JsonObject().put("type", "object"), "").statusCode()).isEqualTo(201);
    assertThat(putSchema("services.near.text", null, new JsonObject().put("type", "string"), "").statusCode())
        .isEqualTo(201);
    assertThat(putSchema("services.near.text", "production", new JsonObject().put("type", "integer"), "")
        .statusCode()).isEqualTo(201);
    assertThat(NODE.node().put("services.near.text.a", "staging", "words").statusCode()).isEqualTo(201);
    assertProblem(NODE.node().put("services.near.text.a", "staging", new JsonObject()), 422, "schema-violation");
    assertThat(NODE.node().put("services.near.text.a", "production", 5).statusCode()).isEqualTo(201);
    assertProblem(NODE.node().put("services.near.text.a", "production", "words"), 422, "schema-violation");
    assertProblem(NODE.node().put("services.near.other", "production", "words"), 422, "schema-violation");

    // versioned: a second version, the history newest first, then a removal
    assertThat(putSchema("services.near.text", null, new JsonObject().put("type", "boolean"), "").statusCode())
        .isEqualTo(200);
    JsonArray history = NODE.node().get("/v1/schemas/services.near.text/versions").bodyAsJsonObject()
        .getJsonArray("items");
    assertThat(history).hasSize(2);
    assertThat(history.getJsonObject(0).getInteger("version")).isEqualTo(2);
    assertThat(history.getJsonObject(0).getString("updatedBy")).isEqualTo("bootstrap-admin");
    assertThat(history.getJsonObject(1).getJsonObject("schema")).isEqualTo(new JsonObject().put("type", "string"));
    assertProblem(NODE.node().put("services.near.text.a", "staging", "words"), 422, "schema-violation");
    assertThat(NODE.node().call(HttpMethod.DELETE, "/v1/schemas/services.near.text?comment=gone", null).statusCode())
        .isEqualTo(200);
    // the parent's schema governs again
    assertProblem(NODE.node().put("services.near.text.a", "staging", "words"), 422, "schema-violation");
    assertThat(NODE.node().put("services.near.text.a", "staging", new JsonObject()).statusCode()).isEqualTo(200);
    assertProblem(NODE.node().get("/v1/schemas/services.near.text"), 404, "not-found");
    assertThat(NODE.node().get("/v1/schemas/services.near.text/versions").bodyAsJsonObject().getJsonArray("items"))
        .hasSize(3);
    assertThat(NODE.node().get("/v1/schemas").bodyAsJsonObject().getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("prefix")).toList())
        .contains("services.near", "services.payment").doesNotContain("services.invalid");
  }

  @Test
  @DisplayName("schemas need admin on the prefix to change; a writer cannot set or remove one")
  void access() {
    String writer = NODE.node().createToken("schema-writer", "production", "services", "write");
    TestNode asWriter = NODE.node().as(writer);
    assertProblem(asWriter.call(HttpMethod.PUT, "/v1/schemas/services.payment?env=production",
        new JsonObject().put("schema", new JsonObject())), 403, "forbidden");
    assertProblem(asWriter.call(HttpMethod.DELETE, "/v1/schemas/services.payment?env=production", null), 403,
        "forbidden");
    assertThat(asWriter.get("/v1/schemas/services.payment?env=production").statusCode()).isEqualTo(200);
    String productionAdmin = NODE.node().createToken("production-admin", "production", "", "admin");
    // a schema for every environment needs admin on every environment
    assertProblem(NODE.node().as(productionAdmin).call(HttpMethod.PUT, "/v1/schemas/services.payment",
        new JsonObject().put("schema", new JsonObject())), 403, "forbidden");
  }

  @Test
  @DisplayName("a schema set on one node is enforced by another node of the deployment within guards.refreshMillis")
  void otherNodes() {
    // a Vert.x of its own: no event bus shared with the first node, so only the reload brings the schema
    Vertx elsewhere = Vertx.vertx();
    TestNode second = TestNode.start(elsewhere, TestServices.anotherNode(NODE.node().config(), "second")).await();
    try {
      assertThat(second.put("services.later.a", "production", "text").statusCode()).isEqualTo(201);
      assertThat(putSchema("services.later", "production", new JsonObject().put("type", "integer"), "").statusCode())
          .isEqualTo(201);
      Eventually.await("the second node refuses what the schema refuses", Duration.ofSeconds(10),
          () -> second.put("services.later.b", "production", "text").statusCode() == 422);
      assertProblem(second.put("services.later.c", "production", "text"), 422, "schema-violation");
    } finally {
      second.stop().await();
      elsewhere.close().await();
    }
  }

  private static HttpResponse<Buffer> putSchema(String prefix, String env, JsonObject schema, String query) {
    String uri = "/v1/schemas/" + prefix + "?" + (env == null ? "" : "env=" + env) + query;
    return NODE.node().call(HttpMethod.PUT, uri, new JsonObject().put("schema", schema));
  }
}
