package io.configd.instances;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.TestNodeExtension;
import io.configd.model.Addresses;
import io.configd.model.Failure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A subscriber names its instance and acknowledges what it applied, and bad identities are refused")
class InstancesIdentifyThemselvesTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("InstancesIdentifyThemselvesTest");

  private static JsonObject hello(String id) {
    return new JsonObject().put("instance", id).put("app", "payment")
        .put("labels", new JsonObject().put("zone", "eu-1").put("version", "2.3.1"));
  }

  private static JsonObject ack(String env, Object revision) {
    return new JsonObject().put("env", env).put("revision", revision)
        .put("keys", new JsonObject().put("services.payment.timeout", 3)).put("failures", 0);
  }

  private static BridgeTestClient connect(String token) {
    return BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), token).await();
  }

  private static void assertRefused(JsonObject answer, Failure failure, String words) {
    assertThat(answer.getString("type")).as("%s", answer).isEqualTo("err");
    assertThat(answer.getInteger("failureCode")).as("%s", answer).isEqualTo(failure.code());
    assertThat(answer.getString("message")).contains(words);
  }

  @Test
  @DisplayName("a hello is answered with the identity as the node keeps it and the node's name; an ack after it too")
  void helloAndAck() {
    BridgeTestClient client = connect(NODE.node().adminToken());
    try {
      JsonObject answer = client.request(Addresses.HELLO, hello("payment-7f9c")).await();
      assertThat(answer.getString("type")).as("%s", answer).isEqualTo("rec");
      JsonObject body = answer.getJsonObject("body");
      assertThat(body.getString("instance")).isEqualTo("payment-7f9c");
      assertThat(body.getString("app")).isEqualTo("payment");
      assertThat(body.getJsonObject("labels")).isEqualTo(new JsonObject().put("version", "2.3.1").put("zone", "eu-1"));
      assertThat(body.getString("node")).isEqualTo(NODE.node().config().getJsonObject("node").getString("name"));

      JsonObject acked = client.request(Addresses.ACK, ack("production", 12)).await();
      assertThat(acked.getString("type")).as("%s", acked).isEqualTo("rec");
      assertThat(acked.getJsonObject("body")).isEqualTo(new JsonObject().put("env", "production").put("revision", 12));

      // the same id again may change its labels; another id on the same socket may not
      assertThat(client.request(Addresses.HELLO, hello("payment-7f9c").put("labels", new JsonObject()
          .put("zone", "eu-2"))).await().getJsonObject("body").getJsonObject("labels"))
          .isEqualTo(new JsonObject().put("zone", "eu-2"));
      assertRefused(client.request(Addresses.HELLO, hello("payment-other")).await(), Failure.CONFLICT,
          "this socket is instance 'payment-7f9c'");
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("a hello with a non-string id, bad or oversized labels or an unknown member is refused with invalid-instance")
  void badHellos() {
    BridgeTestClient client = connect(NODE.node().adminToken());
    try {
      JsonObject manyLabels = new JsonObject();
      for (int i = 0; i < 33; i++) {
        manyLabels.put("l" + i, "v");
      }
      Object[][] cases = {
          {new JsonObject().put("instance", 42), "'instance' must be a string"},
          {new JsonObject().put("app", "payment"), "'instance' must be a string"},
          {new JsonObject().put("instance", ""), "'instance' must be 1 to 128"},
          {new JsonObject().put("instance", "a".repeat(129)), "'instance' must be 1 to 128"},
          {new JsonObject().put("instance", "has space"), "'instance' must be 1 to 128"},
          {new JsonObject().put("instance", "i-1").put("app", 7), "'app' must be a string"},
          {new JsonObject().put("instance", "i-1").put("labels", "zone=eu-1"), "'labels' must be an object"},
          {new JsonObject().put("instance", "i-1").put("labels", new JsonObject().put("zone", 1)), "must be a string"},
          {new JsonObject().put("instance", "i-1").put("labels", new JsonObject().put("zone", "eu 1")), "the value of label 'zone'"},
          {new JsonObject().put("instance", "i-1").put("labels", new JsonObject().put("zone", "x".repeat(64))), "the value of label 'zone'"},
          {new JsonObject().put("instance", "i-1").put("labels", new JsonObject().put("-bad", "x")), "label name '-bad'"},
          {new JsonObject().put("instance", "i-1").put("labels", manyLabels), "33 labels; at most 32"},
          {new JsonObject().put("instance", "i-1").put("region", "eu"), "unknown member 'region'"},
      };
      for (Object[] bad : cases) {
        assertRefused(client.request(Addresses.HELLO, (JsonObject) bad[0]).await(), Failure.INVALID_INSTANCE,
            (String) bad[1]);
      }
      // nothing of those was kept: an ack still finds no instance on the socket
      assertRefused(client.request(Addresses.ACK, ack("production", 1)).await(), Failure.CONFLICT,
          "has not named its instance");
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("an ack before the hello, for an unknown environment, with bad numbers or for keys the token cannot read is refused")
  void badAcks() {
    String token = NODE.node().createToken("payment-reader", "production", "services.payment", "read");
    BridgeTestClient client = connect(token);
    try {
      assertRefused(client.request(Addresses.ACK, ack("production", 1)).await(), Failure.CONFLICT,
          "send configd.hello");
      assertThat(client.request(Addresses.HELLO, hello("payment-1")).await().getString("type")).isEqualTo("rec");
      assertRefused(client.request(Addresses.ACK, ack("moon", 1)).await(), Failure.UNKNOWN_ENVIRONMENT,
          "unknown environment 'moon'");
      assertRefused(client.request(Addresses.ACK, ack("production", -1)).await(), Failure.INVALID_INSTANCE,
          "'revision' must be a whole number");
      assertRefused(client.request(Addresses.ACK, ack("production", 1.5)).await(), Failure.INVALID_INSTANCE,
          "'revision' must be a whole number");
      assertRefused(client.request(Addresses.ACK, ack("production", "7")).await(), Failure.INVALID_INSTANCE,
          "'revision' must be a whole number");
      assertRefused(client.request(Addresses.ACK, ack("production", 1).put("failures", -2)).await(),
          Failure.INVALID_INSTANCE, "'failures' must be a whole number");
      assertRefused(client.request(Addresses.ACK, ack("production", 1).put("keys", new JsonObject()
          .put("services.payment.timeout", 0))).await(), Failure.INVALID_INSTANCE, "must be a whole number from 1");
      assertRefused(client.request(Addresses.ACK, ack("production", 1).put("keys", new JsonObject()
          .put("bad..key", 1))).await(), Failure.INVALID_KEY, "not a valid key");
      assertRefused(client.request(Addresses.ACK, ack("production", 1).put("keys", new JsonObject()
          .put("services.billing.timeout", 1))).await(), Failure.FORBIDDEN, "lacks read access");
      assertThat(client.request(Addresses.ACK, ack("production", 5)).await().getString("type")).isEqualTo("rec");
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("a hello without a token is refused as unauthorized")
  void helloNeedsAToken() {
    BridgeTestClient client = connect(null);
    try {
      assertRefused(client.request(Addresses.HELLO, hello("anonymous-1")).await(), Failure.UNAUTHORIZED,
          "not_logged_in");
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("a read naming its instance with bad parameters or headers is 400 invalid-instance; a good one is answered")
  void httpReadsNameTheirInstance() {
    NODE.node().put("services.payment.pool", "production", 10);
    String uri = "/v1/config/services.payment.pool?env=production";
    assertProblem(NODE.node().get(uri + "&instance=i-1&labels=zone"), 400, "invalid-instance");
    assertProblem(NODE.node().get(uri + "&instance=i-1&labels=zone%3Deu%201"), 400, "invalid-instance");
    assertProblem(NODE.node().get(uri + "&app=payment"), 400, "invalid-instance");
    assertProblem(NODE.node().get(uri + "&instance=i-1&instance=i-2"), 400, "invalid-instance");
    assertProblem(NODE.node().get(uri, "X-Configd-Instance", "i 1"), 400, "invalid-instance");
    assertThat(NODE.node().get(uri + "&instance=i-1&app=payment&labels=zone%3Deu-1,version%3D2.3.1").statusCode())
        .isEqualTo(200);
    assertThat(NODE.node().get(uri, "X-Configd-Instance", "i-2", "X-Configd-Labels", "zone=eu-1").statusCode())
        .isEqualTo(200);
  }
}
