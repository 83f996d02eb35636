package io.configd.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configd.Node;
import io.configd.NodeConfig;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The bootstrap admin token")
class AdminBootstrapTest {

  private static final Pattern PRINTED = Pattern.compile("(cfd_[A-Za-z0-9_-]{43})");

  @Test
  @DisplayName("two nodes starting together on an empty database create exactly one, printed once on stdout and never logged")
  void createdOnceByConcurrentNodes(Vertx vertx) throws Exception {
    JsonObject first = TestServices.nodeConfig("AdminBootstrapTest");
    first.getJsonObject("auth").remove("adminToken");
    JsonObject second = TestServices.anotherNode(first, "second");
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    List<Node> nodes;
    try {
      Future<Node> one = Node.deploy(vertx, first);
      Future<Node> two = Node.deploy(vertx, second);
      Future.all(one, two).await();
      nodes = List.of(one.result(), two.result());
    } finally {
      System.setOut(original);
    }
    try {
      String output = captured.toString(StandardCharsets.UTF_8);
      List<Map<String, Object>> rows = StreamTesting.queryRows(first, "select name, grants::text as grants from api_token");
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).get("name")).isEqualTo(AdminBootstrap.NAME);
      assertThat(output.split("configd created an admin token", -1)).as(output).hasSize(2);
      Matcher printed = PRINTED.matcher(output);
      assertThat(printed.find()).isTrue();
      String token = printed.group(1);
      assertThat(output.lines().filter(line -> line.contains(token)))
          .as("the token is on its own line and in the curl example, not in a log line")
          .allSatisfy(line -> assertThat(line).doesNotContain(" INFO ", " WARN ", " DEBUG ", " ERROR "));
      TestNode client = TestNode.start(vertx, TestServices.anotherNode(first, "third")).await();
      try {
        assertThat(client.as(token).get("/v1/tokens").statusCode()).isEqualTo(200);
        assertThat(client.as(token).get("/v1/tokens").bodyAsJsonObject().getJsonArray("items")).hasSize(1);
      } finally {
        client.stop().await();
      }
    } finally {
      Future.all(nodes.stream().map(Node::close).toList()).await();
    }
  }

  @Test
  @DisplayName("auth.adminToken sets it on an empty database, and a node started later creates no other")
  void configuredTokenIsUsed(Vertx vertx) throws Exception {
    JsonObject config = TestServices.nodeConfig("AdminBootstrapConfiguredTest");
    TestNode node = TestNode.start(vertx, config).await();
    node.createToken("reader", "production", "", "read");
    node.stop().await();
    TestNode again = TestNode.start(vertx, config).await();
    try {
      assertThat(again.get("/v1/tokens").statusCode()).isEqualTo(200);
      assertThat(StreamTesting.queryLong(config, "select count(*) from api_token where name = '" + AdminBootstrap.NAME + "'"))
          .isEqualTo(1);
      assertThat(StreamTesting.queryLong(config, "select count(*) from api_token")).isEqualTo(2);
    } finally {
      again.stop().await();
    }
  }

  @Test
  @DisplayName("CONFIGD_ADMIN_TOKEN sets auth.adminToken; CONFIGD_AUTH_ADMIN_TOKEN wins when both are set")
  void environmentVariables(Vertx vertx) {
    String token = ApiTokens.generate();
    JsonObject config = NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, Map.of("CONFIGD_ADMIN_TOKEN", token)).await();
    assertThat(AuthSettings.from(config).adminToken()).isEqualTo(token);
    assertThat(config.containsKey("admin")).isFalse();
    String preferred = ApiTokens.generate();
    JsonObject both = NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE,
        Map.of("CONFIGD_ADMIN_TOKEN", token, "CONFIGD_AUTH_ADMIN_TOKEN", preferred)).await();
    assertThat(AuthSettings.from(both).adminToken()).isEqualTo(preferred);
  }

  @Test
  @DisplayName("a configured admin token too short to be safe stops the node from starting")
  void weakTokenIsRefused(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("AdminBootstrapWeakTest");
    config.getJsonObject("auth").put("adminToken", "cfd_letmein");
    assertThatThrownBy(() -> Node.deploy(vertx, config).await()).hasMessageContaining("auth.adminToken")
        .hasMessageNotContaining("letmein");
  }
}
