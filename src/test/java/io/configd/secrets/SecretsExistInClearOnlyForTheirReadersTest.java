package io.configd.secrets;

import static io.configd.StreamTesting.queryRows;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.TestServices;
import io.configd.WebhookReceiver;
import io.configd.model.Addresses;
import io.configd.model.ConfigValue;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * DESIGN invariant 9: a secret's clear value exists only encrypted at rest in PostgreSQL and in answers to readers
 * allowed to see it; never in Redis, Kafka, the audit log, webhooks, logs or problem details. Everything is read
 * from the real engines and searched for the clear text.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A secret's clear value exists only for the readers allowed to see it")
class SecretsExistInClearOnlyForTheirReadersTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  private static final Logger ROOT = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private static Vertx vertx;
  private static JsonObject config;
  private static TestNode node;
  private static WebhookReceiver webhook;
  private static String reader;
  private static String secretReader;

  static String newMasterKey(String id) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return id + ":" + Base64.getEncoder().encodeToString(key);
  }

  @BeforeAll
  static void start(Vertx testVertx) {
    vertx = testVertx;
    LOGS.start();
    ROOT.addAppender(LOGS);
    webhook = WebhookReceiver.start(vertx);
    config = StreamTesting.streamConfig("SecretsExistInClearOnlyForTheirReadersTest");
    config.put("secrets", new JsonObject().put("masterKey", newMasterKey("k1")));
    config.put("notify", new JsonObject().put("webhooks", new JsonArray().add(webhook.url()))
        .put("keyPatterns", new JsonArray().add("services.*.db_password")).put("pollMs", 100));
    node = TestNode.start(vertx, config).await();
    reader = node.createToken("reader", "production", "services", "read");
    secretReader = node.createToken("secret-reader", "production", "services", "read", "production", "services.payment",
        "secret");
  }

  @AfterAll
  static void stop() {
    ROOT.detachAppender(LOGS);
    if (node != null) {
      node.stop().await();
    }
    if (webhook != null) {
      webhook.stop();
    }
  }

  private static String clear(String what) {
    return what + "-" + UUID.randomUUID();
  }

  @Test
  @DisplayName("after secrets are written (PUT, txn, rollback), PostgreSQL, Redis, Kafka, the audit log, a webhook body and the node log hold no clear text")
  void noClearTextAtRest() throws Exception {
    String key = "services.payment.db_password";
    String first = clear("hunter2");
    String second = clear("correct-horse");
    HttpResponse<Buffer> put = node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", first).put("secret", true).put("comment", "rotate the password"));
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.bodyAsJsonObject().getString("value")).as("the admin may see it").isEqualTo(first);
    assertThat(put.bodyAsJsonObject().getBoolean("secret")).isTrue();
    assertThat(put.bodyAsString()).doesNotContain("sealed");
    // a later write without the flag stays secret (sticky), through a transaction
    HttpResponse<Buffer> txn = node.call(HttpMethod.POST, "/v1/txn?env=production", new JsonObject()
        .put("ops", new JsonArray().add(new JsonObject().put("op", "put").put("key", key).put("value", second))));
    assertThat(txn.statusCode()).as(txn.bodyAsString()).isEqualTo(200);
    HttpResponse<Buffer> rollback = node.call(HttpMethod.POST, "/v1/config/" + key + "/rollback?env=production",
        new JsonObject().put("version", 1));
    assertThat(rollback.statusCode()).as(rollback.bodyAsString()).isEqualTo(200);
    assertThat(rollback.bodyAsJsonObject().getString("value")).isEqualTo(first);
    // a nested JSON value is a secret too
    String nested = clear("api-key");
    assertThat(node.call(HttpMethod.PUT, "/v1/config/services.payment.vendor?env=production", new JsonObject()
        .put("value", new JsonObject().put("apiKey", nested).put("port", 443)).put("secret", true)).statusCode())
        .isEqualTo(201);
    // read through another node, whose near cache misses: it fills Redis from PostgreSQL
    TestNode other = TestNode.start(vertx, TestServices.anotherNode(config, "secrets-other")).await();
    try {
      assertThat(other.as(secretReader).get("/v1/config/" + key + "?env=production").bodyAsJsonObject()
          .getString("value")).isEqualTo(first);
      assertThat(other.as(reader).get("/v1/config/services.payment.vendor?env=production").bodyAsJsonObject()
          .getString("value")).isEqualTo(ConfigValue.MASK);
    } finally {
      other.stop().await();
    }
    List<String> clearTexts = List.of(first, second, nested);

    // the class's other tests write keys of their own: the count is of this test's two keys
    Eventually.await("the audit log to record the 4 versions", WAIT,
        () -> StreamTesting.queryLong(config, "select count(*) from audit_log where env = 'production' and key in ('"
            + key + "', 'services.payment.vendor')") >= 4);
    Eventually.await("the webhook to receive the alerts", WAIT, () -> webhook.alerts().size() >= 3);
    var records = StreamTesting.readTopic(config, WAIT,
        read -> read.stream().filter(record -> record.key().equals(key)).count() >= 3);

    // PostgreSQL: every row of every table of the schema, as text
    String schema = config.getJsonObject("pg").getString("schema");
    List<String> dump = new ArrayList<>();
    for (Map<String, Object> table : queryRows(config, "select table_name from information_schema.tables "
        + "where table_schema = '" + schema + "' and table_type = 'BASE TABLE'")) {
      queryRows(config, "select t::text as row from " + table.get("table_name") + " t")
          .forEach(row -> dump.add(table.get("table_name") + ": " + row.get("row")));
    }
    assertThat(dump).anySatisfy(row -> assertThat(row).startsWith("config_version").contains("v1."));
    assertNoClearText("PostgreSQL", String.join("\n", dump), clearTexts);
    List<Map<String, Object>> audit = queryRows(config, "select old_value::text as old, new_value::text as new, secret "
        + "from audit_log where key = '" + key + "' order by revision");
    assertThat(audit).hasSize(3).allSatisfy(row -> {
      assertThat(row.get("new")).isEqualTo("\"" + ConfigValue.MASK + "\"");
      assertThat(row.get("secret")).isEqualTo(true);
    });

    // Redis: every key of this node's namespace, and its value
    String redisText = redisDump();
    assertThat(redisText).contains(key).contains("\"sealed\"");
    assertNoClearText("Redis", redisText, clearTexts);

    // Kafka: every record of the topic
    StringBuilder kafka = new StringBuilder();
    records.forEach(record -> kafka.append(record.value()).append('\n'));
    assertThat(kafka).contains(ConfigValue.MASK);
    assertNoClearText("Kafka", kafka.toString(), clearTexts);

    // the webhook bodies
    StringBuilder alerts = new StringBuilder();
    webhook.alerts().forEach(alert -> alerts.append(alert.encode()).append('\n'));
    assertThat(alerts).contains(ConfigValue.MASK).doesNotContain("sealed");
    assertNoClearText("webhook bodies", alerts.toString(), clearTexts);

    // the node's log, messages and stack traces alike
    StringBuilder log = new StringBuilder();
    LOGS.list.forEach(event -> {
      log.append(event.getFormattedMessage()).append('\n');
      if (event.getThrowableProxy() != null) {
        log.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
      }
    });
    assertThat(log).isNotEmpty();
    assertNoClearText("the node log", log.toString(), clearTexts);
  }

  @Test
  @DisplayName("a reader with secret access gets the clear value over HTTP, SSE and the bridge; one without gets the mask")
  void readersSeeWhatTheirGrantAllows() throws Exception {
    String key = "services.payment.token";
    String value = clear("tok");
    assertThat(node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", value).put("secret", true)).statusCode()).isEqualTo(201);

    JsonObject allowed = node.as(secretReader).get("/v1/config/" + key + "?env=production").bodyAsJsonObject();
    assertThat(allowed.getString("value")).isEqualTo(value);
    assertThat(allowed.getBoolean("secret")).isTrue();
    assertThat(allowed.containsKey("masked")).isFalse();
    JsonObject masked = node.as(reader).get("/v1/config/" + key + "?env=production").bodyAsJsonObject();
    assertMasked(masked);

    // listings, history, one version, the change log, export and the Spring Cloud Config path
    for (String uri : List.of("/v1/config?env=production&prefix=services.payment",
        "/v1/config/" + key + "/versions?env=production", "/v1/changes?env=production&prefix=services.payment&since=0",
        "/v1/export?env=production&prefix=services.payment&format=json", "/config/payment/production")) {
      String clearBody = node.as(secretReader).get(uri).bodyAsString();
      String maskedBody = node.as(reader).get(uri).bodyAsString();
      assertThat(clearBody).as(uri).contains(value).doesNotContain("\"sealed\"");
      assertThat(maskedBody).as(uri).doesNotContain(value).doesNotContain("\"sealed\"").contains(ConfigValue.MASK);
    }
    assertMasked(node.as(reader).get("/v1/config/" + key + "/versions/1?env=production").bodyAsJsonObject());
    assertThat(node.as(secretReader).get("/v1/config/" + key + "/versions/1?env=production").bodyAsJsonObject()
        .getString("value")).isEqualTo(value);
    // another prefix's secret grant does not reach here: a secret reader of services.payment sees only masks elsewhere
    assertThat(node.call(HttpMethod.PUT, "/v1/config/services.billing.token?env=production",
        new JsonObject().put("value", value).put("secret", true)).statusCode()).isEqualTo(201);
    assertThat(node.as(node.createToken("payment-secret-billing-read", "production", "services.payment", "secret",
        "production", "services.billing", "read")).get("/v1/config/services.billing.token?env=production")
        .bodyAsJsonObject().getString("value")).isEqualTo(ConfigValue.MASK);

    // the bridge: live changes, snapshots and catch-up, per socket
    BridgeTestClient clearClient = BridgeTestClient.connect(vertx, node.port(), secretReader).await();
    BridgeTestClient maskedClient = BridgeTestClient.connect(vertx, node.port(), reader).await();
    for (BridgeTestClient client : List.of(clearClient, maskedClient)) {
      client.register("config.production.services.payment").await();
      client.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production").put("prefix", "services.payment"))
          .await();
    }
    String next = clear("tok2");
    assertThat(node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production", new JsonObject().put("value", next))
        .statusCode()).isEqualTo(200);
    Eventually.await("both sockets to receive the change", WAIT, () -> clearClient.messages.stream()
        .anyMatch(m -> m.getJsonObject("body").getInteger("version") == 2)
        && maskedClient.messages.stream().anyMatch(m -> m.getJsonObject("body").getInteger("version") == 2));
    JsonObject clearChange = clearClient.messages.stream().map(m -> m.getJsonObject("body"))
        .filter(b -> b.getInteger("version") == 2).findFirst().orElseThrow();
    JsonObject maskedChange = maskedClient.messages.stream().map(m -> m.getJsonObject("body"))
        .filter(b -> b.getInteger("version") == 2).findFirst().orElseThrow();
    assertThat(clearChange.getString("value")).isEqualTo(next);
    assertThat(clearChange.containsKey("sealed")).isFalse();
    assertMasked(maskedChange);
    JsonObject snapshot = clearClient.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production")
        .put("prefix", "services.payment")).await();
    assertThat(snapshot.encode()).contains(next).doesNotContain("\"sealed\"");
    JsonObject maskedSnapshot = maskedClient.request(Addresses.CHANGES, new JsonObject().put("env", "production")
        .put("prefix", "services.payment").put("since", 0)).await();
    assertThat(maskedSnapshot.encode()).doesNotContain(next).doesNotContain(value).doesNotContain("\"sealed\"");
    clearClient.close().await();
    maskedClient.close().await();

    // Server-Sent Events
    assertThat(watch(secretReader, key)).contains(next).doesNotContain("\"sealed\"");
    assertThat(watch(reader, key)).doesNotContain(next).doesNotContain(value).contains(ConfigValue.MASK);
  }

  @Test
  @DisplayName("secret stays secret: secret false on a secret key, or a secret that is not a boolean, is refused and changes nothing")
  void secretIsSticky() throws Exception {
    String key = "services.payment.sticky";
    String value = clear("sticky");
    assertThat(node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", value).put("secret", true)).statusCode()).isEqualTo(201);
    long head = StreamTesting.queryLong(config, "select revision from config_revision");

    HttpResponse<Buffer> off = node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", "plain").put("secret", false));
    assertThat(off.statusCode()).isEqualTo(409);
    assertThat(off.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(off.bodyAsString()).doesNotContain(value).doesNotContain("plain");
    HttpResponse<Buffer> txnOff = node.call(HttpMethod.POST, "/v1/txn?env=production", new JsonObject().put("ops",
        new JsonArray().add(new JsonObject().put("op", "put").put("key", key).put("value", "plain").put("secret", false))));
    assertThat(txnOff.statusCode()).isEqualTo(409);
    HttpResponse<Buffer> notBoolean = node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", "plain").put("secret", "yes"));
    assertThat(notBoolean.statusCode()).isEqualTo(400);
    assertThat(node.call(HttpMethod.POST, "/v1/txn?env=production", new JsonObject().put("ops", new JsonArray()
        .add(new JsonObject().put("op", "put").put("key", key).put("value", 1).put("secret", 1)))).statusCode())
        .isEqualTo(400);
    assertThat(StreamTesting.queryLong(config, "select revision from config_revision")).as("nothing written")
        .isEqualTo(head);

    // deleted and written again, the key is still secret
    assertThat(node.call(HttpMethod.DELETE, "/v1/config/" + key + "?env=production", null).statusCode()).isEqualTo(200);
    String again = clear("again");
    assertThat(node.put(key, "production", again).statusCode()).isEqualTo(200);
    assertMasked(node.as(reader).get("/v1/config/" + key + "?env=production").bodyAsJsonObject());
    assertThat(StreamTesting.queryLong(config, "select count(*) from config_version where key = '" + key
        + "' and value::text like '%" + again + "%'")).isZero();
  }

  @Test
  @DisplayName("a node that has not heard a key became secret still seals it: PostgreSQL refuses the clear value")
  void aKeyMadeSecretElsewhereIsSealed() throws Exception {
    String key = "services.payment.elsewhere";
    assertThat(node.put(key, "production", "public").statusCode()).isEqualTo(201);
    // another node (here: SQL standing in for it) made the key secret; this node has not heard of it
    StreamTesting.execute(config, "update config_entry set secret = true where key = '" + key + "'");
    String value = clear("elsewhere");
    HttpResponse<Buffer> put = node.put(key, "production", value);
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
    assertThat(StreamTesting.queryLong(config, "select count(*) from config_version where key = '" + key
        + "' and version = 2 and sealed is not null and value::text not like '%" + value + "%'")).isEqualTo(1);
    assertThat(node.as(secretReader).get("/v1/config/" + key + "?env=production").bodyAsJsonObject()
        .getString("value")).isEqualTo(value);
  }

  @Test
  @DisplayName("GET /v1/pending shows a held secret and the value it replaces in clear to a reader with secret access, "
      + "the masks to any other reader")
  void pendingSecretsForTheirReaders() {
    String prefix = "services.payment.vaulted";
    String key = prefix + ".password";
    String before = clear("before");
    assertThat(node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", before).put("secret", true)).statusCode()).isEqualTo(201);
    assertThat(node.call(HttpMethod.PUT, "/v1/policies/" + prefix + "?env=production",
        new JsonObject().put("requireApproval", true)).statusCode()).isEqualTo(201);
    TestNode author = node.as(node.createToken("vaulted-writer", "production", prefix, "write"));
    String proposed = clear("proposed");
    HttpResponse<Buffer> held = author.put(key, "production", proposed);
    assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(202);
    String id = held.bodyAsJsonObject().getString("id");

    JsonObject op = node.as(secretReader).get("/v1/pending/" + id).bodyAsJsonObject().getJsonArray("ops")
        .getJsonObject(0);
    assertThat(op.getString("value")).isEqualTo(proposed);
    assertThat(op.getBoolean("secret")).isTrue();
    assertThat(op.containsKey("masked")).isFalse();
    assertThat(op.getJsonObject("before").getString("value")).isEqualTo(before);
    JsonObject listed = node.as(secretReader).get("/v1/pending?env=production").bodyAsJsonObject().getJsonArray("items")
        .stream().map(JsonObject.class::cast).filter(item -> item.getString("id").equals(id)).findFirst().orElseThrow();
    assertThat(listed.getJsonArray("ops").getJsonObject(0).getString("value")).isEqualTo(proposed);

    for (String uri : List.of("/v1/pending/" + id, "/v1/pending?env=production")) {
      String masked = node.as(reader).get(uri).bodyAsString();
      assertThat(masked).as(uri).doesNotContain(proposed).doesNotContain(before).contains(ConfigValue.MASK)
          .doesNotContain("\"sealed\"");
    }
    assertThat(node.as(reader).get("/v1/pending/" + id).bodyAsJsonObject().getJsonArray("ops").getJsonObject(0)
        .getBoolean("masked")).isTrue();
    // the rejection's answer shows the change as its rejecter may see it: in clear to one with secret access
    TestNode keeper = node.as(node.createToken("vaulted-keeper", "production", prefix, "approve", "production", prefix,
        "secret"));
    HttpResponse<Buffer> rejected = keeper.call(HttpMethod.POST, "/v1/pending/" + id + "/reject",
        new JsonObject().put("reason", "test"));
    assertThat(rejected.statusCode()).as(rejected.bodyAsString()).isEqualTo(200);
    JsonObject rejectedOp = rejected.bodyAsJsonObject().getJsonArray("ops").getJsonObject(0);
    assertThat(rejectedOp.getString("value")).isEqualTo(proposed);
    assertThat(rejectedOp.containsKey("masked")).isFalse();
    assertThat(rejectedOp.getJsonObject("before").getString("value")).isEqualTo(before);
    assertThat(rejected.bodyAsString()).doesNotContain("\"sealed\"");
  }

  @Test
  @DisplayName("a node that has not heard another node made a key secret holds its write for approval sealed, and its "
      + "schema refusal quotes no value: PostgreSQL's flag decides, not the node's memory (two nodes)")
  void aKeyMadeSecretOnAnotherNodeIsHeldSealed() throws Exception {
    String held = "services.payment.vault2";
    String schemed = "services.payment.schemed2";
    assertThat(node.call(HttpMethod.PUT, "/v1/schemas/" + schemed + "?env=production", new JsonObject().put("schema",
        new JsonObject().put("type", "object").put("properties", new JsonObject().put("n", new JsonObject()
            .put("type", "integer").put("minimum", 1_000_000))))).statusCode()).isEqualTo(201);
    assertThat(node.put(held + ".early", "production", "public").statusCode()).isEqualTo(201);
    // a node of its own Vert.x and Kafka topic, started before the keys become secret: it never hears of it (the
    // first node, started first, leads the publisher, so nothing reaches the second's topic)
    JsonObject elsewhereConfig = TestServices.anotherNode(config, "unheard");
    elsewhereConfig.getJsonObject("kafka").put("topic", StreamTesting.topic(config) + ".unheard");
    Vertx elsewhere = Vertx.vertx();
    TestNode second = TestNode.start(elsewhere, elsewhereConfig).await();
    try {
      List<String> clears = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String key = held + ".k" + i;
        assertThat(node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
            new JsonObject().put("value", "first").put("secret", true)).statusCode()).isEqualTo(201);
        clears.add(clear("unheard" + i));
      }
      assertThat(node.call(HttpMethod.PUT, "/v1/config/" + schemed + ".k?env=production", new JsonObject()
          .put("value", new JsonObject().put("n", 5_000_000)).put("secret", true)).statusCode()).isEqualTo(201);
      assertThat(node.call(HttpMethod.PUT, "/v1/policies/" + held + "?env=production",
          new JsonObject().put("requireApproval", true)).statusCode()).isEqualTo(201);
      Eventually.await("the second node holds writes under the new policy", Duration.ofSeconds(10),
          () -> second.put(held + ".early", "production", "public2").statusCode() == 202);

      for (int i = 0; i < clears.size(); i++) {
        HttpResponse<Buffer> put = second.put(held + ".k" + i, "production", clears.get(i));
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(202);
        assertThat(put.bodyAsString()).doesNotContain(clears.get(i));
        String id = put.bodyAsJsonObject().getString("id");
        assertThat(StreamTesting.queryLong(config, "select count(*) from pending_op where pending = '" + id
            + "' and sealed is not null and value::text not like '%" + clears.get(i) + "%'"))
            .as("the held put is sealed in PostgreSQL").isEqualTo(1);
        assertThat(second.as(reader).get("/v1/pending/" + id).bodyAsString()).doesNotContain(clears.get(i));
        assertThat(second.as(secretReader).get("/v1/pending/" + id).bodyAsJsonObject().getJsonArray("ops")
            .getJsonObject(0).getString("value")).isEqualTo(clears.get(i));
      }

      HttpResponse<Buffer> refused = second.call(HttpMethod.PUT, "/v1/config/" + schemed + ".k?env=production",
          new JsonObject().put("value", new JsonObject().put("n", 738291)));
      assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(422);
      assertThat(refused.bodyAsString()).doesNotContain("738291");
    } finally {
      second.stop().await();
      elsewhere.close().await();
    }
  }

  @Test
  @DisplayName("a secret held for approval is kept sealed: the pending change shows the mask, PostgreSQL holds no clear text, the approval commits it sealed")
  void aSecretHeldForApprovalStaysSealed() throws Exception {
    String prefix = "services.vault";
    assertThat(node.call(HttpMethod.PUT, "/v1/policies/" + prefix + "?env=production",
        new JsonObject().put("requireApproval", true)).statusCode()).isEqualTo(201);
    TestNode author = node.as(node.createToken("vault-writer", "production", prefix, "write"));
    TestNode approver = node.as(node.createToken("vault-approver", "production", prefix, "approve"));
    String value = clear("vault");
    HttpResponse<Buffer> held = author.call(HttpMethod.PUT, "/v1/config/" + prefix + ".key?env=production",
        new JsonObject().put("value", value).put("secret", true));
    assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(202);
    assertThat(held.bodyAsString()).doesNotContain(value).contains(ConfigValue.MASK).doesNotContain("\"sealed\"");
    String id = held.bodyAsJsonObject().getString("id");
    assertThat(approver.get("/v1/pending/" + id).bodyAsString()).doesNotContain(value).doesNotContain("\"sealed\"");
    assertThat(StreamTesting.queryLong(config, "select count(*) from pending_op where pending = '" + id
        + "' and sealed is not null and value::text not like '%" + value + "%' and sealed not like '%" + value + "%'"))
        .isEqualTo(1);

    HttpResponse<Buffer> approved = approver.call(HttpMethod.POST, "/v1/pending/" + id + "/approve", null);
    assertThat(approved.statusCode()).as(approved.bodyAsString()).isEqualTo(200);
    assertThat(approved.bodyAsString()).doesNotContain(value);
    assertMasked(node.as(secretReader).get("/v1/config/" + prefix + ".key?env=production").bodyAsJsonObject());
    assertThat(node.get("/v1/config/" + prefix + ".key?env=production").bodyAsJsonObject().getString("value"))
        .as("the admin sees the committed secret").isEqualTo(value);
    assertMasked(node.as(reader).get("/v1/config/" + prefix + ".key?env=production").bodyAsJsonObject());
    assertThat(StreamTesting.queryLong(config, "select count(*) from config_version where key = '" + prefix
        + ".key' and sealed is not null and value::text not like '%" + value + "%'")).isEqualTo(1);

    // an approver with secret access sees the secret in clear in the approval's answer, as GET /v1/pending shows it
    TestNode keeper = node.as(node.createToken("vault-keeper", "production", prefix, "approve", "production", prefix,
        "secret"));
    String next = clear("vault-next");
    HttpResponse<Buffer> heldAgain = author.call(HttpMethod.PUT, "/v1/config/" + prefix + ".key?env=production",
        new JsonObject().put("value", next));
    assertThat(heldAgain.statusCode()).as(heldAgain.bodyAsString()).isEqualTo(202);
    HttpResponse<Buffer> opened = keeper.call(HttpMethod.POST, "/v1/pending/" + heldAgain.bodyAsJsonObject()
        .getString("id") + "/approve", null);
    assertThat(opened.statusCode()).as(opened.bodyAsString()).isEqualTo(200);
    assertThat(opened.bodyAsJsonObject().getJsonArray("ops").getJsonObject(0).getString("value")).isEqualTo(next);
    assertThat(opened.bodyAsJsonObject().getJsonObject("value").getString("value")).isEqualTo(next);
    assertThat(opened.bodyAsString()).doesNotContain("\"sealed\"");
  }

  @Test
  @DisplayName("a secret cannot be rolled out to part of the fleet: 409, nothing stored")
  void aSecretIsNotRolledOut() throws Exception {
    String key = "services.payment.rolled";
    assertThat(node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
        new JsonObject().put("value", clear("rolled")).put("secret", true)).statusCode()).isEqualTo(201);
    String value = clear("gray");
    HttpResponse<Buffer> rollout = node.call(HttpMethod.POST, "/v1/rollouts?env=production",
        new JsonObject().put("key", key).put("value", value).put("percentage", 5));
    assertThat(rollout.statusCode()).as(rollout.bodyAsString()).isEqualTo(409);
    assertThat(rollout.bodyAsString()).doesNotContain(value);
    assertThat(StreamTesting.queryLong(config, "select count(*) from rollout")).isZero();
  }

  private static String watch(String token, String key) throws Exception {
    StringBuilder events = new StringBuilder();
    var response = node.as(token).http().get("/v1/watch").addQueryParam("env", "production")
        .addQueryParam("prefix", key).addQueryParam("since", "0")
        .as(io.vertx.ext.web.codec.BodyCodec.pipe(new io.vertx.core.streams.WriteStream<Buffer>() {
          @Override
          public io.vertx.core.streams.WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
            return this;
          }

          @Override
          public io.vertx.core.Future<Void> write(Buffer data) {
            synchronized (events) {
              events.append(data.toString());
            }
            return io.vertx.core.Future.succeededFuture();
          }

          @Override
          public io.vertx.core.Future<Void> end() {
            return io.vertx.core.Future.succeededFuture();
          }

          @Override
          public io.vertx.core.streams.WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
          }

          @Override
          public boolean writeQueueFull() {
            return false;
          }

          @Override
          public io.vertx.core.streams.WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> handler) {
            return this;
          }
        })).send();
    Eventually.await("the watch stream's two changes", WAIT, () -> {
      synchronized (events) {
        return events.toString().split("event: change").length > 2;
      }
    });
    synchronized (events) {
      return events.toString();
    }
  }

  private static void assertMasked(JsonObject value) {
    assertThat(value.getString("value")).isEqualTo(ConfigValue.MASK);
    assertThat(value.getBoolean("secret")).isTrue();
    assertThat(value.getBoolean("masked")).isTrue();
    assertThat(value.containsKey("sealed")).isFalse();
  }

  private static void assertNoClearText(String where, String text, List<String> clearTexts) {
    for (String clear : clearTexts) {
      assertThat(text).as(where + " must not hold a secret's clear value").doesNotContain(clear);
    }
  }

  private static String redisDump() {
    Redis redis = Redis.createClient(vertx, TestServices.redisUri());
    try {
      String namespace = config.getJsonObject("redis").getString("namespace");
      StringBuilder dump = new StringBuilder();
      String cursor = "0";
      do {
        Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(namespace + "*")
            .arg("COUNT").arg(1000)).await();
        cursor = page.get(0).toString();
        for (Response name : page.get(1)) {
          String type = redis.send(Request.cmd(Command.TYPE).arg(name.toString())).await().toString();
          Response value = switch (type) {
            case "string" -> redis.send(Request.cmd(Command.GET).arg(name.toString())).await();
            case "hash" -> redis.send(Request.cmd(Command.HGETALL).arg(name.toString())).await();
            default -> null;
          };
          dump.append(name).append(" (").append(type).append(") = ").append(value).append('\n');
        }
      } while (!cursor.equals("0"));
      return dump.toString();
    } finally {
      redis.close();
    }
  }
}
