package io.configd.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TestNodeExtension;
import io.configd.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * examples/spring-starter-app, a Spring Boot 3.5 WebFlux service whose pom adds configd-spring-boot-starter and
 * nothing else of configd, run as a process of its own against a real node.
 */
@DisplayName("A Spring Boot service with the configd starter")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpringStarterTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("SpringStarterTest");

  private static final String MAIN = "io.configd.examples.starter.PaymentApplication";
  /** The example depends on spring-cloud-context (for @RefreshScope); these runs leave it out, the last one keeps it. */
  private static final List<String> BOOT_ONLY = List.of("spring-cloud-context");
  private static final Duration START = Duration.ofSeconds(90);

  @TempDir
  static Path dir;
  private static String token;

  @BeforeAll
  static void values() {
    NODE.node().put("services.payment.pool-size", "production", 8);
    NODE.node().put("services.payment.database-url", "production", "jdbc:postgresql://db/payments");
    NODE.node().put("services.payment.timeout", "production", "2s");
    NODE.node().put("services.payment.hosts", "production", new JsonArray().add("a").add("b"));
    NODE.node().put("services.payment.limits", "production", new JsonObject().put("max-amount", 500).put("currency", "EUR"));
    NODE.node().put("services.billing.pool-size", "production", 99);
    token = NODE.node().createToken("payment-service", "production", "services.payment", "read");
  }

  private static List<String> args(String nodes, Path snapshot, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--configd.nodes=" + nodes, "--configd.token=" + token,
        "--configd.snapshot-file=" + snapshot));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  @Order(1)
  @DisplayName("starts with configd's values bound by relaxed binding, and a change rebinds its properties bean, then "
      + "fires ConfigdChangeEvent; it is listed as its instance, app and labels, with the version it applied; a gray "
      + "release to its zone rebinds it, and the failures it reports roll that back")
  void startsAndFollowsChanges() throws Exception {
    Path snapshot = dir.resolve("payment-snapshot.json");
    try (SpringApp app = SpringApp.start("spring-starter-app", MAIN, TestServices.freePort(),
        args("http://127.0.0.1:" + NODE.node().port(), snapshot, "--configd.instance.id=payment-spring-1",
            "--configd.instance.labels.zone=eu-1", "--configd.instance.labels.version=2.3.1"), BOOT_ONLY)
        .awaitUp(START)) {
      JsonObject settings = app.getJson("/settings");
      assertThat(settings.getInteger("poolSize")).isEqualTo(8);
      assertThat(settings.getString("databaseUrl")).isEqualTo("jdbc:postgresql://db/payments");
      assertThat(settings.getString("timeout")).isEqualTo("PT2S");
      assertThat(settings.getJsonArray("hosts")).containsExactly("a", "b");
      assertThat(settings.getJsonObject("limits")).isEqualTo(new JsonObject().put("maxAmount", 500).put("currency", "EUR"));

      JsonObject health = app.getJson("/actuator/health/configd");
      assertThat(health.getString("status")).isEqualTo("UP");
      assertThat(health.getJsonObject("details").getString("connection")).isEqualTo("BRIDGE");

      NODE.node().put("services.payment.pool-size", "production", 16);
      JsonObject changed = Eventually.value("the ConfigdChangeEvent of the change", Duration.ofSeconds(30),
          () -> app.getJson("/settings"), json -> json.getJsonArray("events").encode().contains("services.payment.pool-size"));
      assertThat(changed.getInteger("poolSize")).as("rebound before the event").isEqualTo(16);
      assertThat(changed.getValue("property")).as("Environment.getProperty reads text").isEqualTo("16");

      // a transaction is applied in one round: one rebind, one ConfigdChangeEvent with all its changes
      int before = changed.getJsonArray("eventKeys").size();
      JsonArray ops = new JsonArray()
          .add(new JsonObject().put("op", "put").put("key", "services.payment.timeout").put("value", "5s"))
          .add(new JsonObject().put("op", "put").put("key", "services.payment.database-url")
              .put("value", "jdbc:postgresql://db2/payments"))
          .add(new JsonObject().put("op", "put").put("key", "services.payment.limits")
              .put("value", new JsonObject().put("max-amount", 600).put("currency", "EUR")));
      var txn = NODE.node().call(io.vertx.core.http.HttpMethod.POST, "/v1/txn?env=production",
          new JsonObject().put("ops", ops));
      assertThat(txn.statusCode()).as(txn.bodyAsString()).isEqualTo(200);
      Eventually.await("the event of the transaction", Duration.ofSeconds(30),
          () -> app.getJson("/settings").getJsonArray("eventKeys").encode().contains("services.payment.database-url"));
      NODE.node().put("services.payment.timeout", "production", "3s");
      JsonObject afterTxn = Eventually.value("the event of the write after it", Duration.ofSeconds(30),
          () -> app.getJson("/settings"), json -> "PT3S".equals(json.getString("timeout"))
              && new JsonArray().add("services.payment.timeout").equals(json.getJsonArray("eventKeys")
                  .getJsonArray(json.getJsonArray("eventKeys").size() - 1)));
      JsonArray eventKeys = afterTxn.getJsonArray("eventKeys");
      assertThat(eventKeys.stream().skip(before).map(keys -> ((JsonArray) keys).getList()).toList())
          .as("one event per transaction or write")
          .containsExactly(List.of("services.payment.timeout", "services.payment.database-url", "services.payment.limits"),
              List.of("services.payment.timeout"));
      assertThat(afterTxn.getString("databaseUrl")).isEqualTo("jdbc:postgresql://db2/payments");
      JsonArray events = afterTxn.getJsonArray("events");
      assertThat(events.getJsonArray(events.size() - 2).getList()).as("the transaction's properties, in one event")
          .contains("services.payment.timeout", "services.payment.database-url", "services.payment.limits.max-amount");

      JsonObject metric = app.getJson("/actuator/metrics/configd.client.changes");
      assertThat(metric.getJsonArray("measurements").getJsonObject(0).getDouble("value")).isGreaterThanOrEqualTo(1.0);

      // app from spring.application.name, labels from configd.instance.labels.*, the ack sent after the change
      JsonObject listed = Eventually.value("the service in GET /v1/instances with version 2 of pool-size",
          Duration.ofSeconds(30), () -> NODE.node().get("/v1/instances?env=production&prefix=services.payment")
              .bodyAsJsonObject().getJsonArray("items"),
          items -> items.size() == 1 && items.getJsonObject(0).getJsonObject("keys")
              .getInteger("services.payment.pool-size", 0) == 2).getJsonObject(0);
      assertThat(listed.getString("instance")).isEqualTo("payment-spring-1");
      assertThat(listed.getString("app")).isEqualTo("payment");
      assertThat(listed.getJsonObject("labels")).isEqualTo(new JsonObject().put("version", "2.3.1").put("zone", "eu-1"));
      assertThat(listed.getString("state")).isEqualTo("connected");

      // a gray release to its zone rebinds it to the rollout's value; the failures it reports roll the rollout back
      var started = NODE.node().call(io.vertx.core.http.HttpMethod.POST, "/v1/rollouts?env=production",
          new JsonObject().put("key", "services.payment.pool-size").put("value", 24).put("selector", "zone=eu-1")
              .put("failureThreshold", 1).put("steps", new JsonArray()
                  .add(new JsonObject().put("percentage", 100).put("bake", "PT1H"))));
      assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(201);
      long id = started.bodyAsJsonObject().getLong("id");
      Eventually.await("the gray value bound", Duration.ofSeconds(30), () -> app.getJson("/settings").getInteger("poolSize") == 24);
      assertThat(app.post("/failures")).isEqualTo(200);
      assertThat(app.post("/failures")).isEqualTo(200);
      JsonObject rolledBack = Eventually.value("rollout " + id + " rolled back", Duration.ofSeconds(30),
          () -> NODE.node().get("/v1/rollouts/" + id).bodyAsJsonObject(), r -> r.getString("state").equals("rolled-back"));
      assertThat(rolledBack.getString("stopReason")).contains("over the threshold of 1");
      Eventually.await("the released value bound again", Duration.ofSeconds(30),
          () -> app.getJson("/settings").getInteger("poolSize") == 16);
    }
    assertThat(snapshot).exists();
    assertThat(Files.readString(snapshot)).contains("services.payment.pool-size").doesNotContain("services.billing");
  }

  @Test
  @Order(2)
  @DisplayName("starts from its snapshot file while no configd node answers")
  void startsFromSnapshot() throws Exception {
    Path snapshot = dir.resolve("payment-snapshot.json");
    assertThat(snapshot).as("written by the first test's run").exists();
    String down = "http://127.0.0.1:" + TestServices.freePort();
    try (SpringApp app = SpringApp.start("spring-starter-app", MAIN, TestServices.freePort(),
        args(down, snapshot, "--configd.start-timeout=3s"), BOOT_ONLY).awaitUp(START)) {
      JsonObject settings = app.getJson("/settings");
      assertThat(settings.getInteger("poolSize")).isEqualTo(16);
      assertThat(settings.getJsonArray("hosts")).containsExactly("a", "b");
      JsonObject health = app.getJson("/actuator/health/configd");
      assertThat(health.getString("status")).isEqualTo("UNKNOWN");
      assertThat(health.getJsonObject("details").getString("connection")).isEqualTo("DISCONNECTED");
    }
  }

  @Test
  @Order(3)
  @DisplayName("fails to start, saying why, when no node answers and there is no snapshot file")
  void failsFast() throws Exception {
    String down = "http://127.0.0.1:" + TestServices.freePort();
    SpringApp app = SpringApp.start("spring-starter-app", MAIN, TestServices.freePort(),
        args(down, dir.resolve("absent.json"), "--configd.start-timeout=2s"), BOOT_ONLY);
    assertThat(app.awaitExit(START)).isNotZero();
    assertThat(app.log()).contains("no configd node of [" + down + "] answered");
  }

  @Test
  @Order(4)
  @DisplayName("with spring-cloud-context, a change refreshes its @RefreshScope bean and rebinds its properties bean the Spring Cloud way")
  void refreshScope() throws Exception {
    NODE.node().put("services.payment.greeting", "production", "hello from configd");
    try (SpringApp app = SpringApp.start("spring-starter-app", MAIN, TestServices.freePort(),
        args("http://127.0.0.1:" + NODE.node().port(), dir.resolve("cloud-snapshot.json"))).awaitUp(START)) {
      assertThat(app.getJson("/settings").getString("greeting")).isEqualTo("hello from configd");

      NODE.node().put("services.payment.greeting", "production", "bonjour");
      NODE.node().put("services.payment.pool-size", "production", 32);
      JsonObject refreshed = Eventually.value("the refresh-scoped bean and the properties bean", Duration.ofSeconds(30),
          () -> app.getJson("/settings"), json -> "bonjour".equals(json.getString("greeting")) && json.getInteger("poolSize") == 32);
      assertThat(refreshed.getJsonArray("events").encode()).contains("services.payment.greeting");
      assertThat(app.log()).doesNotContain("configd: applying");
    }
  }
}
