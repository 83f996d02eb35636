package io.configd.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.model.Addresses;
import io.configd.model.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN invariant 5 with access control: a bridge client receives on config.* addresses and calls the
 * snapshot and catch-up addresses only inside the read grants of its token; outside them it is refused,
 * never silently filtered, and a refused registration never leaks a message.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Bridge clients receive only what their token may read")
class BridgeClientsReceiveOnlyWhatTheirTokenMayReadTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static Vertx vertx;
  private static TestNode node;
  private static String paymentReader;

  @BeforeAll
  static void start(Vertx testVertx) {
    vertx = testVertx;
    JsonObject config = StreamTesting.streamConfig("BridgeClientsReceiveOnlyWhatTheirTokenMayReadTest");
    config.getJsonObject("auth").put("bridgeRecheckMillis", 200);
    node = TestNode.start(vertx, config).await();
    paymentReader = node.createToken("payment-reader", "production", "services.payment", "read");
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("a REGISTER above or beside the grant (config.production, services.pay, another env) is refused and leaks nothing")
  void registrationsOutsideTheGrantAreRefused() {
    BridgeTestClient client = BridgeTestClient.connect(vertx, node.port(), paymentReader).await();
    List<String> refused = List.of("config.production", "config.production.services", "config.production.services.pay",
        "config.production.services.payments", "config.staging.services.payment", "config.development");
    List<String> permitted = List.of("config.production.services.payment", "config.production.services.payment.db");
    refused.forEach(address -> client.register(address).await());
    permitted.forEach(address -> client.register(address).await());
    Eventually.await(refused.size() + " refusals", WAIT, () -> client.errors.size() == refused.size());
    // A socket's frames are handled in order: once this reply is back, the permitted registrations are in place too
    // (the refusals alone say nothing of the two frames after them; under load the publications below beat them).
    client.request("configd.snapshot", new JsonObject().put("env", "production").put("prefix", "services.payment")).await();
    assertThat(client.errors).allSatisfy(err -> {
      assertThat(err.getString("body")).isEqualTo("access_denied");
      assertThat(err.getString("message")).doesNotContain(paymentReader);
    });

    refused.forEach(address -> vertx.eventBus().publish(address, new JsonObject().put("secret", address), LOCAL));
    permitted.forEach(address -> vertx.eventBus().publish(address, new JsonObject().put("allowed", address), LOCAL));
    Eventually.await("the permitted messages", WAIT, () -> client.messages.size() >= 2);
    assertThat(client.messages).extracting(m -> m.getString("address")).containsExactlyInAnyOrderElementsOf(permitted);
    assertThat(client.messages).noneSatisfy(m -> assertThat(m.getJsonObject("body").containsKey("secret")).isTrue());
    client.close().await();
  }

  @Test
  @DisplayName("a client without a token may not register or call; nothing reaches it")
  void noTokenIsRefused() {
    BridgeTestClient client = BridgeTestClient.connect(vertx, node.port(), null).await();
    client.register("config.production.open").await();
    JsonObject reply = client.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production")).await();
    assertThat(reply.getString("type")).isEqualTo("err");
    assertThat(reply.getInteger("failureCode")).isEqualTo(Failure.UNAUTHORIZED.code());
    assertThat(client.errors).extracting(err -> err.getString("body")).containsExactly("not_logged_in");
    vertx.eventBus().publish("config.production.open", new JsonObject().put("secret", true), LOCAL);

    client.token(node.adminToken()).register("config.production.open").await();
    JsonObject snapshot = client.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production")).await();
    assertThat(snapshot.getString("type")).isEqualTo("rec");
    vertx.eventBus().publish("config.production.open", new JsonObject().put("allowed", true), LOCAL);
    Eventually.await("the message sent after the registration", WAIT, () -> !client.messages.isEmpty());
    assertThat(client.messages).hasSize(1);
    assertThat(client.messages.get(0).getJsonObject("body").getBoolean("allowed")).isTrue();
    client.close().await();
  }

  @Test
  @DisplayName("snapshot and catch-up requests are answered only inside the read grants")
  void requestsOutsideTheGrantAreRefused() {
    BridgeTestClient client = BridgeTestClient.connect(vertx, node.port(), paymentReader).await();
    for (JsonObject outside : List.of(new JsonObject().put("env", "production"),
        new JsonObject().put("env", "production").put("prefix", "services"),
        new JsonObject().put("env", "production").put("prefix", "services.pay"),
        new JsonObject().put("env", "staging").put("prefix", "services.payment"))) {
      JsonObject snapshot = client.request(Addresses.SNAPSHOT, outside).await();
      assertThat(snapshot.getInteger("failureCode")).as(outside.encode()).isEqualTo(Failure.FORBIDDEN.code());
      JsonObject changes = client.request(Addresses.CHANGES, outside.copy().put("since", 0)).await();
      assertThat(changes.getInteger("failureCode")).as(outside.encode()).isEqualTo(Failure.FORBIDDEN.code());
    }
    JsonObject inside = new JsonObject().put("env", "production").put("prefix", "services.payment.db");
    assertThat(client.request(Addresses.SNAPSHOT, inside).await().getString("type")).isEqualTo("rec");
    assertThat(client.request(Addresses.CHANGES, inside.copy().put("since", 0)).await().getString("type")).isEqualTo("rec");
    client.close().await();
  }

  @Test
  @DisplayName("the token may come once, in the WebSocket upgrade's Authorization header")
  void tokenInTheUpgradeRequest() {
    BridgeTestClient client = BridgeTestClient.connectWithUpgradeHeader(vertx, node.port(), paymentReader).await();
    client.register("config.production.services.payment").await();
    client.register("config.production").await();
    JsonObject snapshot = client.request(Addresses.SNAPSHOT,
        new JsonObject().put("env", "production").put("prefix", "services.payment")).await();
    assertThat(snapshot.getString("type")).isEqualTo("rec");
    assertThat(client.errors).extracting(err -> err.getString("body")).containsExactly("access_denied");
    client.close().await();
  }

  @Test
  @DisplayName("a frame with another token replaces the principal, and subscriptions the new one may not read are dropped")
  void anotherTokenReplacesThePrincipal() {
    BridgeTestClient client = BridgeTestClient.connect(vertx, node.port(), node.adminToken()).await();
    client.register("config.production").await();
    client.token(paymentReader).register("config.production.services.payment").await();
    Eventually.await("the dropped subscription", WAIT, () -> !client.errors.isEmpty());
    assertThat(client.errors.get(0).getString("message")).contains("dropped", "config.production");
    vertx.eventBus().publish("config.production", new JsonObject().put("secret", true), LOCAL);
    vertx.eventBus().publish("config.production.services.payment", new JsonObject().put("allowed", true), LOCAL);
    Eventually.await("the permitted message", WAIT, () -> !client.messages.isEmpty());
    assertThat(client.messages).extracting(m -> m.getString("address")).containsExactly("config.production.services.payment");
    client.close().await();
  }

  @Test
  @DisplayName("a revoked token's subscriptions are dropped and its next frames refused; other subscribers go on")
  void revokedTokenLosesItsSubscriptions() {
    JsonObject created = node.call(HttpMethod.POST, "/v1/tokens", new JsonObject().put("name", "soon-revoked")
        .put("grants", new JsonArray().add(new JsonObject().put("env", "production").put("prefix", "rev")
            .put("access", "read")))).bodyAsJsonObject();
    BridgeTestClient revoked = BridgeTestClient.connect(vertx, node.port(), created.getString("token")).await();
    BridgeTestClient witness = BridgeTestClient.connect(vertx, node.port(), node.adminToken()).await();
    revoked.register("config.production.rev").await();
    witness.register("config.production.rev").await();
    assertThat(revoked.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production").put("prefix", "rev"))
        .await().getString("type")).isEqualTo("rec");
    witness.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production").put("prefix", "rev")).await();

    assertThat(node.call(HttpMethod.DELETE, "/v1/tokens/" + created.getString("id"), null).statusCode()).isEqualTo(200);
    Eventually.await("the revocation to reach the socket", WAIT, () -> !revoked.errors.isEmpty());
    assertThat(revoked.errors.get(0).getString("body")).isEqualTo("auth_error");
    assertThat(revoked.errors.get(0).getString("message")).contains("revoked", "config.production.rev");

    assertThat(node.put("rev.flag", "production", true).statusCode()).isEqualTo(201);
    Eventually.await("the change to reach the witness", WAIT, () -> !witness.messages.isEmpty());
    assertThat(revoked.messages).isEmpty();
    JsonObject refused = revoked.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production").put("prefix", "rev"))
        .await();
    assertThat(refused.getInteger("failureCode")).isEqualTo(Failure.UNAUTHORIZED.code());
    revoked.close().await();
    witness.close().await();
  }

  @Test
  @DisplayName("a token that expires while connected loses its subscriptions and its next frames are refused")
  void expiredTokenLosesItsSubscriptions() {
    String shortLived = node.call(HttpMethod.POST, "/v1/tokens", new JsonObject().put("name", "short-lived")
        .put("grants", new JsonArray().add(new JsonObject().put("env", "production").put("prefix", "exp")
            .put("access", "read"))).put("expiresIn", 2)).bodyAsJsonObject().getString("token");
    BridgeTestClient client = BridgeTestClient.connect(vertx, node.port(), shortLived).await();
    client.register("config.production.exp").await();
    assertThat(client.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production").put("prefix", "exp"))
        .await().getString("type")).isEqualTo("rec");
    Eventually.await("the expiry to reach the socket", WAIT, () -> !client.errors.isEmpty());
    assertThat(client.errors.get(0).getString("message")).contains("expired", "config.production.exp");
    JsonObject refused = client.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production").put("prefix", "exp"))
        .await();
    assertThat(refused.getInteger("failureCode")).isEqualTo(Failure.UNAUTHORIZED.code());
    client.close().await();
  }

  @Test
  @DisplayName("a client refused again and again is closed")
  void repeatedRefusalsCloseTheSocket() {
    BridgeTestClient client = BridgeTestClient.connect(vertx, node.port(), paymentReader).await();
    for (int i = 0; i < 25 && !client.isClosed(); i++) {
      client.register("config.staging.k" + i);
    }
    client.closed().await();
    assertThat(client.errors).extracting(err -> err.getString("body")).contains("access_denied", "too_many_requests");
  }
}
