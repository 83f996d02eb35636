package io.configd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** configdctl schemas, policies and pending (issue 17 items 1-2) against a real node. */
@DisplayName("configdctl schemas, policies and pending")
class GuardCommandsTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("GuardCommandsTest");

  @Test
  @DisplayName("schemas set reports the values that break a schema; then a failing put exits 1 naming the location; "
      + "list, get, history and delete work")
  void schemas() {
    Ctl admin = new Ctl(NODE.node());
    assertThat(admin.run("put", "-e", "production", "ctl.schema.a", "{\"pool_size\": \"ten\"}").exitCode()).isZero();
    Ctl.Run set = admin.run("schemas", "set", "ctl.schema", "-e", "production", "-m", "pools are numbers",
        "{\"type\": \"object\", \"properties\": {\"pool_size\": {\"type\": \"integer\"}}}");
    assertThat(set.exitCode()).as(set.toString()).isZero();
    assertThat(set.out()).contains("created the schema of ctl.schema in production: version 1",
        "1 current value(s) break it", "production ctl.schema.a v1: /pool_size type");

    Ctl.Run refused = admin.run("put", "-e", "production", "ctl.schema.b", "{\"pool_size\": \"ten\"}");
    assertThat(refused.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(refused.err()).contains("422", "/pool_size");
    assertThat(admin.run("put", "-e", "production", "ctl.schema.b", "{\"pool_size\": 10}").exitCode()).isZero();

    Ctl.Run enforced = admin.run("schemas", "set", "ctl.schema", "-e", "production", "--enforce-existing",
        "{\"type\": \"object\"}");
    assertThat(enforced.exitCode()).isZero();
    Ctl.Run refusedSchema = admin.run("schemas", "set", "ctl.schema", "-e", "production", "--enforce-existing",
        "{\"type\": \"string\"}");
    assertThat(refusedSchema.exitCode()).as(refusedSchema.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(admin.run("schemas", "set", "ctl.schema", "{\"type\": \"nonsense\"}").exitCode())
        .isEqualTo(ExitCode.USAGE);
    assertThat(admin.run("schemas", "set", "ctl.schema", "not json").exitCode()).isEqualTo(ExitCode.USAGE);

    assertThat(admin.run("schemas", "list").out()).contains("ctl.schema", "production");
    assertThat(new JsonObject(admin.run("schemas", "get", "ctl.schema", "-e", "production").out()))
        .isEqualTo(new JsonObject().put("type", "object"));
    Ctl.Run history = admin.run("schemas", "history", "ctl.schema", "-e", "production");
    assertThat(history.out()).contains("v2", "v1", "pools are numbers");
    assertThat(admin.run("schemas", "delete", "ctl.schema", "-e", "production").out()).contains("version 3");
    assertThat(admin.run("schemas", "get", "ctl.schema", "-e", "production").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  @DisplayName("under a policy a put exits 6 with the pending change's id; pending list and show it; its author "
      + "cannot approve it, another approver can; reject needs a reason")
  void pending() {
    TestNode node = NODE.node();
    Ctl admin = new Ctl(node);
    assertThat(admin.run("put", "-e", "production", "ctl.held.pool", "20").exitCode()).isZero();
    assertThat(admin.run("policies", "set", "ctl.held", "-e", "production", "--require-approval", "--expires-in",
        "P2D").out()).contains("now wait for approval");
    assertThat(admin.run("policies", "list").out()).contains("ctl.held", "required");
    String url = "http://127.0.0.1:" + node.port();
    Ctl alice = new Ctl(url, node.createToken("alice", "production", "ctl.held", "write"));
    Ctl bob = new Ctl(url, node.createToken("bob", "production", "ctl.held", "approve"));

    Ctl.Run held = alice.run("put", "-e", "production", "ctl.held.pool", "40");
    assertThat(held.exitCode()).as(held.toString()).isEqualTo(ExitCode.HELD);
    assertThat(held.out()).contains("held for approval: pending change", "nothing written yet");
    String id = new JsonObject(alice.run("-o", "json", "put", "-e", "production", "ctl.held.limit", "5").out())
        .getString("id");
    String pool = bob.run("-o", "json", "pending", "list", "-e", "production").out();
    assertThat(pool).contains(id);
    assertThat(bob.run("pending", "list").out()).contains("alice", "ctl.held.pool", "ctl.held.limit");
    assertThat(bob.run("pending", "show", id).out()).contains("put ctl.held.limit: (absent) → 5");

    Ctl.Run own = alice.run("pending", "approve", id);
    assertThat(own.exitCode()).isEqualTo(ExitCode.AUTH);
    Ctl.Run approved = bob.run("pending", "approve", id);
    assertThat(approved.exitCode()).as(approved.toString()).isZero();
    assertThat(approved.out()).contains("approved " + id + " (by alice)");
    assertThat(node.get("/v1/config/ctl.held.limit?env=production").bodyAsJsonObject().getInteger("value"))
        .isEqualTo(5);
    assertThat(bob.run("pending", "approve", id).exitCode()).isEqualTo(ExitCode.CONFLICT);

    String other = new JsonObject(alice.run("-o", "json", "put", "-e", "production", "ctl.held.mode", "x").out())
        .getString("id");
    assertThat(bob.run("pending", "reject", other).exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(bob.run("pending", "reject", other, "--reason", "not now").out()).contains("rejected " + other);
    assertThat(bob.run("pending", "list", "--status", "rejected").out()).contains(other);
    assertThat(node.get("/v1/config/ctl.held.mode?env=production").statusCode()).isEqualTo(404);
    assertThat(admin.run("policies", "delete", "ctl.held", "-e", "production").exitCode()).isZero();
    assertThat(alice.run("put", "-e", "production", "ctl.held.pool", "40").exitCode()).isZero();
  }
}
