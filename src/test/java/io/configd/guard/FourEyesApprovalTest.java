package io.configd.guard;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17 item 2: under an approval policy a write becomes a pending change that another principal with approve
 * access commits (both names audited) or rejects; a stale one cannot be approved; rejected and expired ones write
 * nothing. Every write path is held alike: PUT, DELETE, rollback, POST /v1/txn.
 */
@DisplayName("Four-eyes approval")
class FourEyesApprovalTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("FourEyesApprovalTest", config ->
      config.getJsonObject("auth").put("limits", new JsonObject().put("writesPerSecond", 1_000_000)
          .put("writeBurst", 1_000_000).put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000)));

  private static TestNode alice;
  private static TestNode bob;
  private static TestNode carol;

  @BeforeAll
  static void policy() {
    TestNode admin = NODE.node();
    alice = admin.as(admin.createToken("alice", "production", "services.payment", "write"));
    bob = admin.as(admin.createToken("bob", "production", "services.payment", "approve"));
    carol = admin.as(admin.createToken("carol", "production", "services", "write"));
    // written before the policy: keys with a first version
    assertThat(admin.put("services.payment.pool_size", "production", 20).statusCode()).isEqualTo(201);
    assertThat(admin.put("services.payment.mode", "production", "blue").statusCode()).isEqualTo(201);
    assertThat(admin.put("services.payment.mode", "production", "green").statusCode()).isEqualTo(200);
    assertThat(admin.put("services.payment.old", "production", 1).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> policy = putPolicy("services.payment", "production",
        new JsonObject().put("requireApproval", true).put("comment", "payments need two people"));
    assertThat(policy.statusCode()).as(policy.bodyAsString()).isEqualTo(201);
    assertThat(policy.bodyAsJsonObject().getBoolean("requireApproval")).isTrue();
  }

  @Test
  @DisplayName("a write under the policy is a 202 pending change with its id, diff and author, and writes nothing; "
      + "its author cannot approve it, nor can a writer without approve access")
  void authorCannotApprove() {
    HttpResponse<Buffer> held = alice.put("services.payment.limit", "production", 500);
    assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(202);
    JsonObject change = held.bodyAsJsonObject();
    String id = change.getString("id");
    assertThat(held.getHeader("Location")).isEqualTo("/v1/pending/" + id);
    assertThat(change.getString("author")).isEqualTo("alice");
    assertThat(change.getString("status")).isEqualTo("pending");
    JsonObject op = change.getJsonArray("ops").getJsonObject(0);
    assertThat(op.getString("op")).isEqualTo("put");
    assertThat(op.getString("key")).isEqualTo("services.payment.limit");
    assertThat(op.getInteger("value")).isEqualTo(500);
    assertThat(op.getJsonObject("before").getInteger("version")).isZero();
    assertProblem(NODE.node().get("/v1/config/services.payment.limit?env=production"), 404, "not-found");

    JsonObject own = assertProblem(approve(alice, id), 403, "forbidden");
    assertThat(own.getString("detail")).contains("alice", "cannot approve");
    assertProblem(approve(carol, id), 403, "forbidden");
    assertThat(pending(id).getString("status")).isEqualTo("pending");
    assertThat(bob.get("/v1/pending?env=production").bodyAsJsonObject().getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("id")).toList()).contains(id);
    assertProblem(NODE.node().get("/v1/config/services.payment.limit?env=production"), 404, "not-found");
  }

  @Test
  @DisplayName("a second principal's approval commits the change as its author's, and the audit log names both")
  void approvalCommits() {
    HttpResponse<Buffer> held = alice.put("services.payment.pool_size", "production", 40);
    assertThat(held.statusCode()).isEqualTo(202);
    JsonObject before = held.bodyAsJsonObject().getJsonArray("ops").getJsonObject(0).getJsonObject("before");
    assertThat(before).isEqualTo(new JsonObject().put("version", 1).put("deleted", false).put("value", 20));
    String id = held.bodyAsJsonObject().getString("id");

    HttpResponse<Buffer> approved = approve(bob, id);
    assertThat(approved.statusCode()).as(approved.bodyAsString()).isEqualTo(200);
    JsonObject body = approved.bodyAsJsonObject();
    assertThat(body.getString("status")).isEqualTo("approved");
    assertThat(body.getString("decidedBy")).isEqualTo("bob");
    assertThat(body.getJsonObject("value").getInteger("version")).isEqualTo(2);
    assertThat(body.getJsonObject("value").getString("updatedBy")).isEqualTo("alice");
    long revision = body.getJsonObject("value").getLong("revision");
    assertThat(body.getLong("revision")).isEqualTo(revision);
    JsonObject current = NODE.node().get("/v1/config/services.payment.pool_size?env=production").bodyAsJsonObject();
    assertThat(current.getInteger("value")).isEqualTo(40);
    assertThat(current.getInteger("version")).isEqualTo(2);

    JsonObject audited = Eventually.value("the approved change's audit row", Duration.ofSeconds(20),
        () -> NODE.node().get("/v1/audit?env=production&prefix=services.payment.pool_size").bodyAsJsonObject()
            .getJsonArray("items").stream().map(JsonObject.class::cast)
            .filter(row -> row.getInteger("version") == 2).findFirst().orElse(null),
        row -> row != null);
    assertThat(audited.getString("updatedBy")).isEqualTo("alice");
    assertThat(audited.getString("approvedBy")).isEqualTo("bob");
    assertThat(audited.getString("pendingId")).isEqualTo(id);
    assertThat(audited.getLong("revision")).isEqualTo(revision);

    assertProblem(approve(bob, id), 409, "conflict");
    assertThat(NODE.node().get("/v1/config/services.payment.pool_size?env=production").bodyAsJsonObject()
        .getInteger("version")).isEqualTo(2);
  }

  @Test
  @DisplayName("a pending change whose key moved on meanwhile cannot be approved: 409, nothing written, still pending")
  void staleCannotBeApproved() {
    String first = alice.put("services.payment.mode", "production", "red").bodyAsJsonObject().getString("id");
    String second = alice.put("services.payment.mode", "production", "black").bodyAsJsonObject().getString("id");
    assertThat(pending(first).getBoolean("stale")).isFalse();
    assertThat(approve(bob, second).statusCode()).isEqualTo(200);
    // shown as a conflict before anyone tries
    assertThat(pending(first).getBoolean("stale")).isTrue();
    assertThat(pending(first).getJsonArray("ops").getJsonObject(0).getInteger("currentVersion")).isEqualTo(3);

    JsonObject problem = assertProblem(approve(bob, first), 409, "conflict");
    assertThat(problem.getString("detail")).contains("moved on");
    JsonObject current = NODE.node().get("/v1/config/services.payment.mode?env=production").bodyAsJsonObject();
    assertThat(current.getString("value")).isEqualTo("black");
    assertThat(current.getInteger("version")).isEqualTo(3);
    assertThat(pending(first).getString("status")).isEqualTo("pending");
    assertThat(pending(first).getString("decidedBy")).isNull();
  }

  @Test
  @DisplayName("a rejected change writes nothing and can no longer be approved; its author may withdraw one")
  void rejected() {
    String id = alice.put("services.payment.pool_size", "production", 9000).bodyAsJsonObject().getString("id");
    assertProblem(bob.call(HttpMethod.POST, "/v1/pending/" + id + "/reject", new JsonObject()), 400, "invalid-body");
    assertProblem(bob.call(HttpMethod.POST, "/v1/pending/" + id + "/reject", new JsonObject().put("reason", "")),
        400, "invalid-body");
    assertProblem(carol.call(HttpMethod.POST, "/v1/pending/" + id + "/reject", new JsonObject().put("reason", "no")),
        403, "forbidden");
    int version = NODE.node().get("/v1/config/services.payment.pool_size?env=production").bodyAsJsonObject()
        .getInteger("version");
    HttpResponse<Buffer> rejected = bob.call(HttpMethod.POST, "/v1/pending/" + id + "/reject",
        new JsonObject().put("reason", "9000 connections would exhaust the database"));
    assertThat(rejected.statusCode()).as(rejected.bodyAsString()).isEqualTo(200);
    assertThat(rejected.bodyAsJsonObject().getString("status")).isEqualTo("rejected");
    assertThat(rejected.bodyAsJsonObject().getString("reason")).contains("exhaust");
    assertProblem(approve(bob, id), 409, "conflict");
    JsonObject current = NODE.node().get("/v1/config/services.payment.pool_size?env=production").bodyAsJsonObject();
    assertThat(current.getInteger("version")).isEqualTo(version);
    assertThat(current.getInteger("value")).isNotEqualTo(9000);

    String withdrawn = alice.put("services.payment.withdrawn", "production", 1).bodyAsJsonObject().getString("id");
    assertThat(alice.call(HttpMethod.POST, "/v1/pending/" + withdrawn + "/reject",
        new JsonObject().put("reason", "typo")).statusCode()).isEqualTo(200);
    assertThat(bob.get("/v1/pending?env=production&status=rejected").bodyAsJsonObject().getJsonArray("items")
        .stream().map(item -> ((JsonObject) item).getString("id")).toList()).contains(id, withdrawn);
  }

  @Test
  @DisplayName("a pending change expires after its policy's expiresIn: then it cannot be approved and writes nothing")
  void expired() {
    assertThat(putPolicy("services.payment.short", "production", new JsonObject().put("requireApproval", true)
        .put("expiresIn", "PT1S")).statusCode()).isEqualTo(201);
    JsonObject held = alice.put("services.payment.short.x", "production", 1).bodyAsJsonObject();
    String id = held.getString("id");
    // the nearest policy's expiry, not the node's default of 7 days
    assertThat(java.time.Instant.parse(held.getString("expiresAt")))
        .isBefore(java.time.Instant.parse(held.getString("createdAt")).plusSeconds(60));
    Eventually.await("the change expires", Duration.ofSeconds(10),
        () -> pending(id).getString("status").equals("expired"));
    JsonObject problem = assertProblem(approve(bob, id), 409, "conflict");
    assertThat(problem.getString("detail")).contains("expired");
    assertProblem(NODE.node().get("/v1/config/services.payment.short.x?env=production"), 404, "not-found");
    assertThat(bob.get("/v1/pending?env=production&status=expired").bodyAsJsonObject().getJsonArray("items")
        .stream().map(item -> ((JsonObject) item).getString("id")).toList()).contains(id);
  }

  @Test
  @DisplayName("a transaction, a delete and a rollback under the policy are held alike, and an approved transaction "
      + "commits all its ops together")
  void everyPathIsHeld() {
    JsonObject txn = new JsonObject().put("ops", new JsonArray()
        .add(new JsonObject().put("op", "put").put("key", "services.payment.txn_a").put("value", "a"))
        .add(new JsonObject().put("op", "put").put("key", "services.payment.txn_b").put("value", "b")));
    HttpResponse<Buffer> held = alice.call(HttpMethod.POST, "/v1/txn?env=production", txn);
    assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(202);
    assertThat(held.bodyAsJsonObject().getBoolean("transaction")).isTrue();
    assertThat(held.bodyAsJsonObject().getJsonArray("ops")).hasSize(2);
    assertProblem(NODE.node().get("/v1/config/services.payment.txn_a?env=production"), 404, "not-found");
    HttpResponse<Buffer> approved = approve(bob, held.bodyAsJsonObject().getString("id"));
    assertThat(approved.statusCode()).as(approved.bodyAsString()).isEqualTo(200);
    long txnId = approved.bodyAsJsonObject().getLong("txn");
    JsonObject a = NODE.node().get("/v1/config/services.payment.txn_a/versions/1?env=production").bodyAsJsonObject();
    JsonObject b = NODE.node().get("/v1/config/services.payment.txn_b/versions/1?env=production").bodyAsJsonObject();
    assertThat(a.getJsonObject("txn").getLong("id")).isEqualTo(txnId);
    assertThat(b.getJsonObject("txn").getLong("id")).isEqualTo(txnId);

    HttpResponse<Buffer> delete = alice.call(HttpMethod.DELETE, "/v1/config/services.payment.old?env=production", null);
    assertThat(delete.statusCode()).isEqualTo(202);
    assertThat(delete.bodyAsJsonObject().getJsonArray("ops").getJsonObject(0).getString("op")).isEqualTo("delete");
    assertThat(NODE.node().get("/v1/config/services.payment.old?env=production").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> rollback = alice.call(HttpMethod.POST,
        "/v1/config/services.payment.mode/rollback?env=production", new JsonObject().put("version", 1));
    assertThat(rollback.statusCode()).as(rollback.bodyAsString()).isEqualTo(202);
    assertThat(rollback.bodyAsJsonObject().getJsonArray("ops").getJsonObject(0).getString("value")).isEqualTo("blue");

    HttpResponse<Buffer> imported = alice.call(HttpMethod.POST,
        "/v1/import?env=production&prefix=services.payment.imp&format=json", "{\"services.payment.imp.a\": 1}",
        "Content-Type", "application/json");
    assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(202);
    assertThat(imported.bodyAsJsonObject().getBoolean("transaction")).isTrue();
    assertProblem(NODE.node().get("/v1/config/services.payment.imp.a?env=production"), 404, "not-found");

    // a condition that fails now fails now, not at approval
    assertProblem(alice.put("services.payment.old", "production", 2, "If-Match", "\"7\""), 412,
        "precondition-failed");
    // the schemas still apply first: a failing value is refused, not held
    assertThat(NODE.node().call(HttpMethod.PUT, "/v1/schemas/services.payment.typed?env=production",
        new JsonObject().put("schema", new JsonObject().put("type", "integer"))).statusCode()).isEqualTo(201);
    assertProblem(alice.put("services.payment.typed.n", "production", "x"), 422, "schema-violation");
  }

  @Test
  @DisplayName("a nearer policy without approval opts a prefix out; policies need admin; bad input is refused")
  void policiesAndBadInput() {
    assertThat(putPolicy("services.payment.free", "production", new JsonObject().put("requireApproval", false))
        .statusCode()).isEqualTo(201);
    assertThat(alice.put("services.payment.free.x", "production", 1).statusCode()).isEqualTo(201);
    assertThat(NODE.node().get("/v1/policies/services.payment?env=production").bodyAsJsonObject()
        .getBoolean("requireApproval")).isTrue();
    assertThat(NODE.node().get("/v1/policies/services.payment/versions?env=production").bodyAsJsonObject()
        .getJsonArray("items")).hasSize(1);

    assertProblem(alice.call(HttpMethod.PUT, "/v1/policies/services.payment?env=production",
        new JsonObject().put("requireApproval", false)), 403, "forbidden");
    assertProblem(putPolicy("services.x", "production", new JsonObject()), 400, "invalid-body");
    assertProblem(putPolicy("services.x", "production", new JsonObject().put("requireApproval", "yes")), 400,
        "invalid-body");
    assertProblem(putPolicy("services.x", "production", new JsonObject().put("requireApproval", true)
        .put("expiresIn", "soon")), 400, "invalid-body");
    assertProblem(putPolicy("services.x", "production", new JsonObject().put("requireApproval", true)
        .put("expiresIn", -5)), 400, "invalid-body");
    assertProblem(NODE.node().get("/v1/policies/services.x?env=production"), 404, "not-found");
    assertProblem(approve(bob, "6f0c1e52-3a8e-4a59-9d4e-0e5f3f0c8d11"), 404, "not-found");
    assertProblem(approve(bob, "not-a-uuid"), 404, "not-found");
    assertProblem(bob.get("/v1/pending?status=maybe"), 400, "invalid-parameter");
    assertProblem(bob.get("/v1/pending?env=prod"), 400, "unknown-environment");
    String other = NODE.node().createToken("nobody", "staging", "elsewhere", "read");
    assertThat(NODE.node().as(other).get("/v1/pending?status=all").bodyAsJsonObject().getJsonArray("items")).isEmpty();
  }

  @Test
  @DisplayName("a policy with approvals 2 needs two principals other than the author: the first approval commits "
      + "nothing (202, still pending), the same approver twice is a 409, the second commits, both named in the audit")
  void severalApprovers() {
    TestNode admin = NODE.node();
    TestNode dave = admin.as(admin.createToken("dave", "production", "services.payment", "approve"));
    assertProblem(putPolicy("services.payment.dual", "production", new JsonObject().put("requireApproval", true)
        .put("approvals", 0)), 400, "invalid-body");
    HttpResponse<Buffer> policy = putPolicy("services.payment.dual", "production",
        new JsonObject().put("requireApproval", true).put("approvals", 2));
    assertThat(policy.statusCode()).as(policy.bodyAsString()).isEqualTo(201);
    assertThat(policy.bodyAsJsonObject().getInteger("approvals")).isEqualTo(2);

    HttpResponse<Buffer> held = alice.put("services.payment.dual.limit", "production", 7);
    assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(202);
    assertThat(held.bodyAsJsonObject().getInteger("approvalsNeeded")).isEqualTo(2);
    String id = held.bodyAsJsonObject().getString("id");
    assertProblem(approve(alice, id), 403, "forbidden");

    HttpResponse<Buffer> first = approve(bob, id);
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
    assertThat(first.bodyAsJsonObject().getString("status")).isEqualTo("pending");
    assertThat(first.bodyAsJsonObject().getJsonArray("approvals")).containsExactly("bob");
    assertProblem(admin.get("/v1/config/services.payment.dual.limit?env=production"), 404, "not-found");
    assertProblem(approve(bob, id), 409, "conflict");
    assertProblem(admin.get("/v1/config/services.payment.dual.limit?env=production"), 404, "not-found");

    HttpResponse<Buffer> second = approve(dave, id);
    assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(200);
    assertThat(second.bodyAsJsonObject().getString("status")).isEqualTo("approved");
    assertThat(second.bodyAsJsonObject().getJsonObject("value").getInteger("value")).isEqualTo(7);
    JsonObject audited = Eventually.value("the audit row naming both approvers", Duration.ofSeconds(20),
        () -> admin.get("/v1/audit?env=production&prefix=services.payment.dual.limit").bodyAsJsonObject()
            .getJsonArray("items").stream().map(JsonObject.class::cast).findFirst().orElse(null),
        row -> row != null);
    assertThat(audited.getString("updatedBy")).isEqualTo("alice");
    assertThat(audited.getString("approvedBy")).isEqualTo("bob, dave");
  }

  @Test
  @DisplayName("two approvals at once that together reach the count commit the change exactly once, every approver "
      + "named in the audit")
  void concurrentApprovers() throws Exception {
    TestNode admin = NODE.node();
    TestNode frank = admin.as(admin.createToken("frank", "production", "services.payment", "approve"));
    TestNode grace = admin.as(admin.createToken("grace", "production", "services.payment", "approve"));
    HttpResponse<Buffer> policy = putPolicy("services.payment.triple", "production",
        new JsonObject().put("requireApproval", true).put("approvals", 3));
    assertThat(policy.statusCode()).as(policy.bodyAsString()).isEqualTo(201);
    ExecutorService both = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        String key = "services.payment.triple.k" + round;
        HttpResponse<Buffer> held = alice.put(key, "production", round);
        assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(202);
        String id = held.bodyAsJsonObject().getString("id");
        assertThat(approve(bob, id).statusCode()).isEqualTo(202);

        CountDownLatch start = new CountDownLatch(1);
        Future<HttpResponse<Buffer>> byFrank = both.submit(() -> {
          start.await();
          return approve(frank, id);
        });
        Future<HttpResponse<Buffer>> byGrace = both.submit(() -> {
          start.await();
          return approve(grace, id);
        });
        start.countDown();
        List<HttpResponse<Buffer>> answers = List.of(byFrank.get(30, TimeUnit.SECONDS),
            byGrace.get(30, TimeUnit.SECONDS));
        assertThat(answers).as("neither approval is refused").allMatch(answer -> answer.statusCode() / 100 == 2);
        assertThat(answers.stream().filter(answer -> answer.bodyAsJsonObject().containsKey("value")).count())
            .as("exactly one approval reached the count and committed (the other waited for more, 202, or saw the "
                + "change approved meanwhile)").isEqualTo(1);

        JsonObject decided = pending(id);
        assertThat(decided.getString("status")).isEqualTo("approved");
        assertThat(decided.getJsonArray("approvals")).containsExactlyInAnyOrder("bob", "frank", "grace");
        JsonObject current = admin.get("/v1/config/" + key + "?env=production").bodyAsJsonObject();
        assertThat(current.getInteger("version")).as("committed once").isEqualTo(1);
        JsonArray rows = Eventually.value("the audit row of " + key, Duration.ofSeconds(20),
            () -> admin.get("/v1/audit?env=production&prefix=" + key).bodyAsJsonObject().getJsonArray("items"),
            items -> !items.isEmpty());
        assertThat(rows).hasSize(1);
        assertThat(rows.getJsonObject(0).getString("approvedBy").split(", "))
            .containsExactlyInAnyOrder("bob", "frank", "grace");
      }
    } finally {
      both.shutdownNow();
    }
  }

  private static HttpResponse<Buffer> approve(TestNode as, String id) {
    return as.call(HttpMethod.POST, "/v1/pending/" + id + "/approve", null);
  }

  private static JsonObject pending(String id) {
    return NODE.node().get("/v1/pending/" + id).bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> putPolicy(String prefix, String env, JsonObject body) {
    return NODE.node().call(HttpMethod.PUT, "/v1/policies/" + prefix + "?env=" + env, body);
  }
}
