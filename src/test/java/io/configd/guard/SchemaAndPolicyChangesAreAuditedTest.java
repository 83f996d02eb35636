package io.configd.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 17: schemas and policies are audited like values: who changed which one when, every version. */
@DisplayName("Schema and policy changes are in the audit log")
class SchemaAndPolicyChangesAreAuditedTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("SchemaAndPolicyChangesAreAuditedTest");

  @Test
  @DisplayName("GET /v1/audit/rules lists every schema and policy version with its author, time and comment, "
      + "oldest first, paged, filtered by prefix, environment and author, and only what the token may read")
  void rulesAudited() {
    TestNode admin = NODE.node();
    JsonObject schema = new JsonObject().put("type", "integer");
    assertThat(admin.call(HttpMethod.PUT, "/v1/schemas/services.payment?env=production",
        new JsonObject().put("schema", schema).put("comment", "pool sizes")).statusCode()).isEqualTo(201);
    assertThat(admin.call(HttpMethod.PUT, "/v1/policies/services.payment?env=production",
        new JsonObject().put("requireApproval", true).put("comment", "two people")).statusCode()).isEqualTo(201);
    assertThat(admin.call(HttpMethod.DELETE, "/v1/schemas/services.payment?env=production", null).statusCode())
        .isIn(200, 204);
    assertThat(admin.call(HttpMethod.PUT, "/v1/schemas/services.billing",
        new JsonObject().put("schema", schema)).statusCode()).isEqualTo(201);

    JsonArray all = admin.get("/v1/audit/rules?prefix=services.payment").bodyAsJsonObject().getJsonArray("items");
    assertThat(all).hasSize(3);
    JsonObject first = all.getJsonObject(0);
    assertThat(first.getString("kind")).isEqualTo("schema");
    assertThat(first.getString("prefix")).isEqualTo("services.payment");
    assertThat(first.getString("env")).isEqualTo("production");
    assertThat(first.getInteger("version")).isEqualTo(1);
    assertThat(first.getString("comment")).isEqualTo("pool sizes");
    assertThat(first.getString("updatedBy")).isNotBlank();
    assertThat(first.getString("updatedAt")).isNotBlank();
    assertThat(first.getJsonObject("schema")).isEqualTo(schema);
    assertThat(all.getJsonObject(1).getString("kind")).isEqualTo("policy");
    assertThat(all.getJsonObject(1).getBoolean("requireApproval")).isTrue();
    assertThat(all.getJsonObject(2).getString("kind")).isEqualTo("schema");
    assertThat(all.getJsonObject(2).getInteger("version")).isEqualTo(2);
    assertThat(all.getJsonObject(2).getBoolean("deleted")).isTrue();

    // paged: one at a time, every version once, in order
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = admin.get("/v1/audit/rules?limit=1" + (cursor == null ? "" : "&cursor=" + cursor))
          .bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getString("kind") + " "
          + ((JsonObject) item).getString("prefix") + " " + ((JsonObject) item).getInteger("version")));
      cursor = page.getString("next");
    } while (cursor != null);
    assertThat(seen).containsExactly("schema services.payment 1", "policy services.payment 1",
        "schema services.payment 2", "schema services.billing 1");

    // an environment's listing holds its own rules and the every-environment ones; a reader sees what it may read
    assertThat(admin.get("/v1/audit/rules?env=staging").bodyAsJsonObject().getJsonArray("items")).hasSize(1);
    TestNode billing = admin.as(admin.createToken("billing-reader", "production", "services.billing", "read"));
    HttpResponse<Buffer> readable = billing.get("/v1/audit/rules?env=production");
    assertThat(readable.statusCode()).isEqualTo(200);
    assertThat(readable.bodyAsJsonObject().getJsonArray("items")).hasSize(1);
    assertThat(readable.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("prefix"))
        .isEqualTo("services.billing");
    assertThat(admin.get("/v1/audit/rules?updatedBy=nobody").bodyAsJsonObject().getJsonArray("items")).isEmpty();
  }
}
