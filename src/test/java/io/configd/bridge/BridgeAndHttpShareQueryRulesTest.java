package io.configd.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.TestNodeExtension;
import io.configd.model.Addresses;
import io.configd.model.Failure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The bridge and the HTTP API check a catch-up query by the same rules")
class BridgeAndHttpShareQueryRulesTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("BridgeAndHttpShareQueryRulesTest");

  @Test
  @DisplayName("a limit outside 1 to 1000 is refused over the bridge as over HTTP, with the same code and message")
  void badLimitIsRefusedOnBothDoors() {
    var http = NODE.node().get("/v1/changes?env=production&since=0&limit=5000");
    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(http.bodyAsJsonObject().getString("type")).isEqualTo(Failure.INVALID_PARAMETER.type());
    String detail = http.bodyAsJsonObject().getString("detail");

    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    try {
      for (Object limit : new Object[] {5000, 0, "ten"}) {
        JsonObject answer = client.request(Addresses.CHANGES, new JsonObject().put("env", "production")
            .put("since", 0).put("limit", limit)).await();
        assertThat(answer.getString("type")).as("limit %s", limit).isEqualTo("err");
        assertThat(answer.getInteger("failureCode")).as("limit %s", limit).isEqualTo(Failure.INVALID_PARAMETER.code());
        if (limit.equals(5000)) {
          assertThat(answer.getString("message")).isEqualTo(detail);
        }
      }
      JsonObject good = client.request(Addresses.CHANGES, new JsonObject().put("env", "production").put("since", 0)
          .put("limit", 1000)).await();
      assertThat(good.getString("type")).isEqualTo("rec");
      assertThat(good.getJsonObject("body").getBoolean("more")).isFalse();
    } finally {
      client.close().await();
    }
  }
}
