package io.configd.secrets;

import static io.configd.StreamTesting.queryRows;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.configd.model.ConfigValue;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17, the gaps left by secrets: a key made secret after it was written has its history (versions, audit rows,
 * pending changes) sealed too, and a schema's refusal of a secret never quotes its value.
 */
@DisplayName("A key made secret has its history sealed, and its schema refusals quote no value")
class KeysMadeSecretHaveTheirHistorySealedTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("KeysMadeSecretHaveTheirHistorySealedTest", config ->
      config.put("secrets", new JsonObject().put("masterKey", SecretsExistInClearOnlyForTheirReadersTest
          .newMasterKey("k1")).put("reencryptIntervalMs", 100)));

  private static TestNode admin;
  private static TestNode reader;
  private static TestNode secretReader;

  @BeforeAll
  static void tokens() {
    admin = NODE.node();
    reader = admin.as(admin.createToken("reader", "production", "services", "read"));
    secretReader = admin.as(admin.createToken("secret-reader", "production", "services", "read", "production",
        "services", "secret"));
  }

  private static String clear(String what) {
    return what + "-" + UUID.randomUUID();
  }

  @Test
  @DisplayName("versions, audit rows and a live gray release written before a key was made secret are sealed and "
      + "masked in PostgreSQL; a secret reader still reads the versions in clear, others get the mask")
  void historySealed() throws Exception {
    String key = "services.payment.db_password";
    String first = clear("old-hunter2");
    String second = clear("old-correct-horse");
    assertThat(admin.put(key, "production", first).statusCode()).isEqualTo(201);
    assertThat(admin.put(key, "production", second).statusCode()).isEqualTo(200);
    Eventually.await("the audit log to record both clear versions", WAIT, () -> StreamTesting.queryLong(
        NODE.node().config(), "select count(*) from audit_log where key = '" + key + "'") >= 2);
    assertThat(dump()).as("written in clear, before the key is secret").contains(first);
    // a gray release of the key, live when the key is made secret
    String grayValue = clear("old-gray");
    HttpResponse<Buffer> rollout = admin.call(HttpMethod.POST, "/v1/rollouts?env=production",
        new JsonObject().put("key", key).put("value", grayValue).put("percentage", 10));
    assertThat(rollout.statusCode()).as(rollout.bodyAsString()).isEqualTo(201);

    HttpResponse<Buffer> secret = admin.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", clear("new")).put("secret", true));
    assertThat(secret.statusCode()).as(secret.bodyAsString()).isEqualTo(200);

    Eventually.await("PostgreSQL to hold no clear value of the key's history", WAIT, () -> {
      String dump = dump();
      return !dump.contains(first) && !dump.contains(second) && !dump.contains(grayValue);
    });
    assertThat(queryRows(NODE.node().config(), "select version, secret, sealed is not null as sealed, value::text as v "
        + "from config_version where key = '" + key + "' order by version")).hasSize(3).allSatisfy(row -> {
          assertThat(row.get("secret")).isEqualTo(true);
          assertThat(row.get("sealed")).isEqualTo(true);
          assertThat(row.get("v")).isEqualTo("\"" + ConfigValue.MASK + "\"");
        });
    Eventually.await("the audit rows to be masked", WAIT, () -> queryRows(NODE.node().config(),
        "select secret from audit_log where key = '" + key + "'").stream().allMatch(row -> row.get("secret")
        .equals(true)));
    assertThat(secretReader.get("/v1/config/" + key + "/versions/1?env=production").bodyAsJsonObject()
        .getString("value")).isEqualTo(first);
    JsonObject masked = reader.get("/v1/config/" + key + "/versions/2?env=production").bodyAsJsonObject();
    assertThat(masked.getString("value")).isEqualTo(ConfigValue.MASK);
    assertThat(masked.getBoolean("masked")).isTrue();
    String audit = admin.get("/v1/audit?env=production&key=" + key).bodyAsString();
    assertThat(audit).doesNotContain(first).doesNotContain(second);
    // a rollback to a version sealed after the fact brings its clear value back, sealed
    HttpResponse<Buffer> rollback = admin.call(HttpMethod.POST, "/v1/config/" + key + "/rollback?env=production",
        new JsonObject().put("version", 1));
    assertThat(rollback.statusCode()).as(rollback.bodyAsString()).isEqualTo(200);
    assertThat(secretReader.get("/v1/config/" + key + "?env=production").bodyAsJsonObject().getString("value"))
        .isEqualTo(first);
  }

  @Test
  @DisplayName("a pending change held before its key was made secret is sealed at rest and shown masked")
  void pendingSealed() throws Exception {
    String key = "services.held.password";
    String old = clear("held-old");
    String proposed = clear("held-proposed");
    assertThat(admin.put(key, "production", old).statusCode()).isEqualTo(201);
    TestNode alice = admin.as(admin.createToken("alice", "production", "services.held", "write"));
    TestNode bob = admin.as(admin.createToken("bob", "production", "services.held", "approve"));
    HttpResponse<Buffer> policy = admin.call(HttpMethod.PUT, "/v1/policies/services.held?env=production",
        new JsonObject().put("requireApproval", true));
    assertThat(policy.statusCode()).as(policy.bodyAsString()).isEqualTo(201);
    HttpResponse<Buffer> held = alice.put(key, "production", proposed);
    assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(202);
    String clearPending = held.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> makeSecret = alice.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", clear("held-new")).put("secret", true));
    assertThat(makeSecret.statusCode()).as(makeSecret.bodyAsString()).isEqualTo(202);
    HttpResponse<Buffer> approved = bob.call(HttpMethod.POST, "/v1/pending/" + makeSecret.bodyAsJsonObject()
        .getString("id") + "/approve", null);
    assertThat(approved.statusCode()).as(approved.bodyAsString()).isEqualTo(200);

    Eventually.await("PostgreSQL to hold neither the old value nor the one still pending", WAIT, () -> {
      String dump = dump();
      return !dump.contains(old) && !dump.contains(proposed);
    });
    String listed = bob.get("/v1/pending?env=production&status=all").bodyAsString();
    assertThat(listed).contains(clearPending).doesNotContain(proposed).doesNotContain(old);
    JsonObject op = bob.get("/v1/pending/" + clearPending).bodyAsJsonObject().getJsonArray("ops").getJsonObject(0);
    assertThat(op.getString("value")).isEqualTo(ConfigValue.MASK);
  }

  @Test
  @DisplayName("a schema's 422 for a secret names the location and the rule, never the value")
  void schemaRefusalQuotesNoSecret() {
    HttpResponse<Buffer> schema = admin.call(HttpMethod.PUT, "/v1/schemas/services.pin?env=production",
        new JsonObject().put("schema", new JsonObject().put("type", "integer").put("minimum", 1_000_000)));
    assertThat(schema.statusCode()).as(schema.bodyAsString()).isEqualTo(201);
    HttpResponse<Buffer> plain = admin.put("services.pin.plain", "production", 738291);
    assertThat(plain.statusCode()).isEqualTo(422);
    assertThat(plain.bodyAsString()).as("the validator quotes a value that is not secret").contains("738291");

    HttpResponse<Buffer> refused = admin.call(HttpMethod.PUT, "/v1/config/services.pin.code?env=production",
        new JsonObject().put("value", 738291).put("secret", true));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(422);
    assertThat(refused.bodyAsString()).doesNotContain("738291");
    JsonObject error = refused.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("keyword")).isEqualTo("minimum");
    assertThat(error.getString("location")).isEmpty();
    assertThat(error.containsKey("message")).isFalse();
    assertThat(refused.bodyAsJsonObject().getString("detail")).contains("minimum", "services.pin.code");
    // a key already secret, written without the flag, and in a transaction
    assertThat(admin.call(HttpMethod.PUT, "/v1/config/services.pin.code?env=production",
        new JsonObject().put("value", 2_000_000).put("secret", true)).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> again = admin.put("services.pin.code", "production", 738292);
    assertThat(again.statusCode()).isEqualTo(422);
    assertThat(again.bodyAsString()).doesNotContain("738292");
    HttpResponse<Buffer> txn = admin.call(HttpMethod.POST, "/v1/txn?env=production", new JsonObject().put("ops",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("op", "put").put("key", "services.pin.code")
            .put("value", 738293))));
    assertThat(txn.statusCode()).isEqualTo(422);
    assertThat(txn.bodyAsString()).doesNotContain("738293");
  }

  @Test
  @DisplayName("a schema added with enforce=existing checks each secret by its own value, not its mask, and its report "
      + "quotes no secret")
  void enforceExistingOpensSecrets() {
    JsonObject pinSchema = new JsonObject().put("type", "object").put("required", new io.vertx.core.json.JsonArray()
        .add("pin")).put("properties", new JsonObject().put("pin", new JsonObject().put("type", "integer")
        .put("minimum", 1_000_000)));
    assertThat(admin.call(HttpMethod.PUT, "/v1/config/services.vault.strong?env=production", new JsonObject()
        .put("value", new JsonObject().put("pin", 1_234_567)).put("secret", true)).statusCode()).isEqualTo(201);
    assertThat(admin.call(HttpMethod.PUT, "/v1/config/services.vault.weak?env=production", new JsonObject()
        .put("value", new JsonObject().put("pin", 738_294)).put("secret", true)).statusCode()).isEqualTo(201);

    HttpResponse<Buffer> refused = admin.call(HttpMethod.PUT,
        "/v1/schemas/services.vault?env=production&enforce=existing", new JsonObject().put("schema", pinSchema));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(422);
    assertThat(refused.bodyAsJsonObject().getInteger("failingCount")).as(refused.bodyAsString()).isEqualTo(1);
    JsonObject failing = refused.bodyAsJsonObject().getJsonArray("failing").getJsonObject(0);
    assertThat(failing.getString("key")).isEqualTo("services.vault.weak");
    assertThat(failing.getJsonArray("errors").getJsonObject(0).getString("location")).isEqualTo("/pin");
    assertThat(refused.bodyAsString()).doesNotContain("738294");

    assertThat(admin.call(HttpMethod.PUT, "/v1/config/services.vault.weak?env=production", new JsonObject()
        .put("value", new JsonObject().put("pin", 2_000_000))).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> accepted = admin.call(HttpMethod.PUT,
        "/v1/schemas/services.vault?env=production&enforce=existing", new JsonObject().put("schema", pinSchema));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    assertThat(accepted.bodyAsJsonObject().getInteger("failingCount")).isZero();
  }

  /** Every row of every table of the node's schema, as text. */
  private static String dump() throws Exception {
    JsonObject config = NODE.node().config();
    String schema = config.getJsonObject("pg").getString("schema");
    List<String> rows = new ArrayList<>();
    for (Map<String, Object> table : queryRows(config, "select table_name from information_schema.tables "
        + "where table_schema = '" + schema + "' and table_type = 'BASE TABLE'")) {
      queryRows(config, "select t::text as row from " + table.get("table_name") + " t")
          .forEach(row -> rows.add(table.get("table_name") + ": " + row.get("row")));
    }
    return String.join("\n", rows);
  }
}
