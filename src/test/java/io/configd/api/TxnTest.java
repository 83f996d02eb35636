package io.configd.api;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.StreamTesting;
import io.configd.TestNodeExtension;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 18 item 3: POST /v1/txn records every op in one commit with contiguous revisions, or nothing. */
@DisplayName("Atomic transactions")
class TxnTest {

  private static final int MAX_VALUE = 4096;

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("TxnTest", config -> {
    config.getJsonObject("http").put("maxValueBytes", MAX_VALUE);
    config.getJsonObject("auth").put("limits", new JsonObject().put("writesPerSecond", 1_000_000)
        .put("writeBurst", 1_000_000).put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000));
  });

  @Test
  @DisplayName("puts, a delete and a check commit together: one 200 listing each result, contiguous revisions, "
      + "and every change names the transaction in GET /v1/changes and the history")
  void commitsTogether() {
    NODE.node().put("shop.a", "production", "a1");
    NODE.node().put("shop.gone", "production", "g1");
    NODE.node().put("shop.checked", "production", "c1");
    NODE.node().put("shop.checked", "production", "c2");
    long head = head("production");

    HttpResponse<Buffer> response = txn("production", new JsonObject().put("comment", "together").put("ops", new JsonArray()
        .add(put("shop.a", "a2").put("expect", 1))
        .add(put("shop.b", new JsonObject().put("n", 1)).put("expect", "absent").put("comment", "its own"))
        .add(new JsonObject().put("op", "delete").put("key", "shop.gone").put("expect", "exists"))
        .add(new JsonObject().put("op", "check").put("key", "shop.checked").put("expect", 2))));

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getLong("txn")).isEqualTo(head + 1);
    assertThat(body.getLong("revision")).isEqualTo(head + 3);
    assertThat(body.getString("env")).isEqualTo("production");
    JsonArray results = body.getJsonArray("results");
    assertThat(results).hasSize(4);
    assertThat(results.getJsonObject(0)).isEqualTo(new JsonObject().put("op", "put").put("key", "shop.a")
        .put("version", 2).put("revision", head + 1));
    assertThat(results.getJsonObject(1)).isEqualTo(new JsonObject().put("op", "put").put("key", "shop.b")
        .put("version", 1).put("revision", head + 2));
    assertThat(results.getJsonObject(2)).isEqualTo(new JsonObject().put("op", "delete").put("key", "shop.gone")
        .put("version", 2).put("revision", head + 3));
    assertThat(results.getJsonObject(3)).isEqualTo(new JsonObject().put("op", "check").put("key", "shop.checked")
        .put("version", 2));

    JsonArray changes = NODE.node().get("/v1/changes?env=production&since=" + head).bodyAsJsonObject().getJsonArray("items");
    assertThat(changes).hasSize(3);
    JsonObject txn = new JsonObject().put("id", head + 1).put("last", head + 3);
    for (int i = 0; i < 3; i++) {
      assertThat(changes.getJsonObject(i).getLong("revision")).isEqualTo(head + 1 + i);
      // the answer carries all three: txn.count tells a reader it has the whole transaction
      assertThat(changes.getJsonObject(i).getJsonObject("txn")).isEqualTo(txn.copy().put("count", 3));
    }
    assertThat(changes.getJsonObject(2).getBoolean("deleted")).isTrue();
    JsonObject b = NODE.node().get("/v1/config/shop.b/versions/1?env=production").bodyAsJsonObject();
    assertThat(b.getJsonObject("txn")).isEqualTo(txn);
    assertThat(b.getString("comment")).isEqualTo("its own");
    assertThat(NODE.node().get("/v1/config/shop.a/versions/2?env=production").bodyAsJsonObject().getString("comment"))
        .isEqualTo("together");
    assertThat(NODE.node().get("/v1/config/shop.a?env=production").bodyAsJsonObject().getString("value")).isEqualTo("a2");
    assertThat(NODE.node().get("/v1/config/shop.gone?env=production").statusCode()).isEqualTo(404);

    // the change messages (Kafka records, which the bridge and SSE relay as they are) name it too
    var records = StreamTesting.readTopic(NODE.node().config(), Duration.ofSeconds(60),
        read -> StreamTesting.revisions(read).containsAll(List.of(head + 1, head + 2, head + 3)));
    records.stream().map(record -> new JsonObject(record.value()))
        .filter(change -> change.getLong("revision") > head && change.getLong("revision") <= head + 3)
        .forEach(change -> assertThat(change.getJsonObject("txn")).isEqualTo(txn));
  }

  @Test
  @DisplayName("a page of GET /v1/changes never ends inside a transaction: a limit that would cut one brings the rest "
      + "of it, under the prefix, each change counting the transaction's changes in the answer")
  void pagesHoldWholeTransactions() {
    NODE.node().put("pages.before", "production", 0);
    long head = head("production");
    JsonArray ops = new JsonArray();
    for (int i = 0; i < 6; i++) {
      ops.add(put((i % 2 == 0 ? "pages.in." : "pages.out.") + i, i));
    }
    assertThat(txn("production", new JsonObject().put("ops", ops)).statusCode()).isEqualTo(200);
    NODE.node().put("pages.after", "production", 7);

    JsonObject all = NODE.node().get("/v1/changes?env=production&prefix=pages&limit=2&since=" + head).bodyAsJsonObject();
    assertThat(all.getJsonArray("items")).hasSize(6);
    assertThat(all.getLong("next")).isEqualTo(head + 6);
    assertThat(all.getBoolean("more")).isTrue();
    all.getJsonArray("items").forEach(item -> assertThat(((JsonObject) item).getJsonObject("txn"))
        .isEqualTo(new JsonObject().put("id", head + 1).put("last", head + 6).put("count", 6)));

    JsonObject in = NODE.node().get("/v1/changes?env=production&prefix=pages.in&limit=1&since=" + head).bodyAsJsonObject();
    assertThat(in.getJsonArray("items")).extracting(item -> ((JsonObject) item).getString("key"))
        .containsExactly("pages.in.0", "pages.in.2", "pages.in.4");
    assertThat(in.getJsonArray("items").getJsonObject(0).getJsonObject("txn").getInteger("count")).isEqualTo(3);
    assertThat(in.getLong("next")).isEqualTo(head + 6);
  }

  @Test
  @DisplayName("a failing expect, check or delete refuses the whole transaction with 412/409 naming the first "
      + "failing op, and nothing is written")
  void refusedWholly() {
    NODE.node().put("refuse.a", "production", "a1");
    long head = head("production");

    JsonObject problem = assertProblem(txn("production", new JsonObject().put("ops", new JsonArray()
        .add(put("refuse.a", "a2"))
        .add(put("refuse.new", "n1"))
        .add(new JsonObject().put("op", "check").put("key", "refuse.a").put("expect", 5)))),
        400, "invalid-body");
    assertThat(problem.getInteger("op")).isEqualTo(2);

    problem = assertProblem(txn("production", new JsonObject().put("ops", new JsonArray()
        .add(put("refuse.new", "n1"))
        .add(new JsonObject().put("op", "check").put("key", "refuse.a").put("expect", 5))
        .add(put("refuse.other", "o1").put("expect", 3)))), 412, "precondition-failed");
    assertThat(problem.getInteger("op")).isEqualTo(1);
    assertThat(problem.getString("key")).isEqualTo("refuse.a");
    assertThat(problem.getInteger("expected")).isEqualTo(5);
    assertThat(problem.getInteger("current")).isEqualTo(1);
    assertThat(problem.getString("detail")).contains("op 1", "expected version 5 but the current version is 1");

    problem = assertProblem(txn("production", new JsonObject().put("ops", new JsonArray()
        .add(put("refuse.new", "n1"))
        .add(new JsonObject().put("op", "delete").put("key", "refuse.missing")))), 409, "conflict");
    assertThat(problem.getInteger("op")).isEqualTo(1);
    assertThat(problem.getInteger("current")).isZero();

    problem = assertProblem(txn("production", new JsonObject().put("ops", new JsonArray()
        .add(put("refuse.new", "n1"))
        .add(put("refuse.a", "a2").put("expect", "absent")))), 412, "precondition-failed");
    assertThat(problem.getString("expected")).isEqualTo("absent");

    assertThat(head("production")).isEqualTo(head);
    assertThat(NODE.node().get("/v1/config/refuse.new?env=production").statusCode()).isEqualTo(404);
    assertThat(NODE.node().get("/v1/config/refuse.a?env=production").bodyAsJsonObject().getInteger("version")).isEqualTo(1);
  }

  @Test
  @DisplayName("invalid ops (bad key, duplicate key, over 1,000 ops, a value over the limit, no ops) get 400 "
      + "naming the op, and nothing is written")
  void invalidOpsWriteNothing() {
    long head = head("development");
    JsonObject problem = assertProblem(txn("development", ops(put("ok.key", 1), put("bad..key", 2))), 400, "invalid-key");
    assertThat(problem.getInteger("op")).isEqualTo(1);

    problem = assertProblem(txn("development", ops(put("dup.key", 1), put("other.key", 1),
        new JsonObject().put("op", "check").put("key", "dup.key").put("expect", "absent"))), 400, "invalid-body");
    assertThat(problem.getInteger("op")).isEqualTo(2);
    assertThat(problem.getString("detail")).contains("already in op 0");

    JsonArray many = new JsonArray();
    IntStream.range(0, 1001).forEach(i -> many.add(put("many.k" + i, i)));
    problem = assertProblem(txn("development", new JsonObject().put("ops", many)), 400, "invalid-body");
    assertThat(problem.getString("detail")).contains("at most 1000");

    problem = assertProblem(txn("development", ops(put("big.ok", 1), put("big.value", "x".repeat(MAX_VALUE)))),
        400, "invalid-body");
    assertThat(problem.getInteger("op")).isEqualTo(1);
    assertThat(problem.getString("detail")).contains("at most " + MAX_VALUE);

    assertProblem(txn("development", new JsonObject().put("ops", new JsonArray())), 400, "invalid-body");
    assertProblem(txn("development", new JsonObject().put("ops", "put")), 400, "invalid-body");
    assertProblem(txn("development", new JsonObject().put("ops", many).put("extra", 1)), 400, "invalid-body");
    assertProblem(txn("development", ops(new JsonObject().put("op", "upsert").put("key", "a.b"))), 400, "invalid-body");
    assertProblem(txn("development", ops(new JsonObject().put("op", "check").put("key", "a.b"))), 400, "invalid-body");
    assertProblem(txn("development", ops(put("a.b", 1).put("expect", 0))), 400, "invalid-body");
    assertProblem(txn("development", ops(new JsonObject().put("op", "put").put("key", "a.b"))), 400, "invalid-body");
    assertProblem(txn("development", ops(put("a.b", 1).put("critical", "yes"))), 400, "invalid-body");
    assertProblem(NODE.node().call(HttpMethod.POST, "/v1/txn?env=prod", ops(put("a.b", 1))), 400, "unknown-environment");
    assertProblem(NODE.node().call(HttpMethod.POST, "/v1/txn?env=development", "not json", "Content-Type",
        "application/json"), 400, "invalid-body");
    assertProblem(NODE.node().call(HttpMethod.POST, "/v1/txn?env=development", "not json"), 415,
        "unsupported-media-type"); // a write body must say it is JSON

    assertThat(head("development")).isEqualTo(head);
    assertThat(NODE.node().get("/v1/config?env=development").bodyAsJsonObject().getJsonArray("items")).isEmpty();
  }

  @Test
  @DisplayName("1,000 ops whose body is larger than one PUT's limit commit as one transaction")
  void thousandOps() {
    long head = head("staging");
    JsonArray many = new JsonArray();
    IntStream.range(0, 1000).forEach(i -> many.add(put("thousand.k" + i, "v".repeat(MAX_VALUE / 4))));
    HttpResponse<Buffer> response = txn("staging", new JsonObject().put("ops", many));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getLong("txn")).isEqualTo(head + 1);
    assertThat(response.bodyAsJsonObject().getLong("revision")).isEqualTo(head + 1000);
    assertThat(head("staging")).isEqualTo(head + 1000);
  }

  @Test
  @DisplayName("a token may only do what its grants allow: one op outside them refuses the transaction with 403")
  void grantsPerOp() {
    String token = NODE.node().createToken("txn-writer", "production", "team.a", "write",
        "production", "team.b", "read");
    long head = head("production");
    JsonObject problem = assertProblem(NODE.node().as(token).call(HttpMethod.POST, "/v1/txn?env=production",
        ops(put("team.a.x", 1), new JsonObject().put("op", "check").put("key", "team.b.z").put("expect", "absent"),
            put("team.b.y", 2))), 403, "forbidden");
    assertThat(problem.getInteger("op")).isEqualTo(2);
    assertThat(head("production")).isEqualTo(head);
    HttpResponse<Buffer> allowed = NODE.node().as(token).call(HttpMethod.POST, "/v1/txn?env=production",
        ops(put("team.a.x", 1), new JsonObject().put("op", "check").put("key", "team.b.y").put("expect", "absent")));
    assertThat(allowed.statusCode()).as(allowed.bodyAsString()).isEqualTo(200);
  }

  @Test
  @DisplayName("under a conflicting concurrent writer every transaction is all or nothing: a 200 wrote all its keys "
      + "at contiguous revisions, a 412 wrote none")
  void allOrNothingUnderAConflictingWriter() {
    NODE.node().put("race.hot", "staging", "h0");
    long start = head("staging");
    AtomicBoolean writing = new AtomicBoolean(true);
    Future<Void> rival = rival(writing, 0);
    List<JsonObject> committed = Collections.synchronizedList(new ArrayList<>());
    List<String> refused = Collections.synchronizedList(new ArrayList<>());
    try {
      Future.all(IntStream.range(0, 8).mapToObj(c -> transactions(c, 0, committed, refused)).toList()).await();
    } finally {
      writing.set(false);
      rival.await();
    }

    assertThat(committed).isNotEmpty();
    Map<Long, JsonObject> changes = new HashMap<>();
    long since = start;
    boolean more = true;
    while (more) {
      JsonObject page = NODE.node().get("/v1/changes?env=staging&limit=1000&since=" + since).bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> changes.put(((JsonObject) item).getLong("revision"), (JsonObject) item));
      more = page.getBoolean("more");
      since = page.getLong("next");
    }
    for (JsonObject txn : committed) {
      long id = txn.getLong("txn");
      String tag = txn.getString("tag");
      for (int i = 0; i < 3; i++) {
        // op 0 is the check: the three puts took the revisions id, id + 1, id + 2
        assertThat(txn.getJsonArray("results").getJsonObject(i + 1).getLong("revision")).isEqualTo(id + i);

        JsonObject change = changes.get(id + i);
        assertThat(change).as("revision %d of txn %d", id + i, id).isNotNull();
        assertThat(change.getString("value")).isEqualTo(tag + "-" + i);
        assertThat(change.getJsonObject("txn")).isEqualTo(new JsonObject().put("id", id).put("last", id + 2)
            .put("count", 3));
      }
    }
    for (JsonObject change : changes.values()) {
      String value = String.valueOf(change.getValue("value"));
      assertThat(refused.stream().anyMatch(tag -> value.startsWith(tag + "-"))).as("refused %s was written", value).isFalse();
    }
  }

  /** PUTs to race.hot without a condition until told to stop. */
  private static Future<Void> rival(AtomicBoolean writing, int i) {
    if (!writing.get()) {
      return Future.succeededFuture();
    }
    return NODE.node().request(HttpMethod.PUT, "/v1/config/race.hot?env=staging", new JsonObject().put("value", "r" + i))
        .compose(response -> rival(writing, i + 1));
  }

  /** 25 transactions, each checking race.hot at the version just read and writing three keys. */
  private static Future<Void> transactions(int client, int i, List<JsonObject> committed, List<String> refused) {
    if (i == 25) {
      return Future.succeededFuture();
    }
    String tag = "c" + client + "t" + i;
    return NODE.node().request(HttpMethod.GET, "/v1/config/race.hot?env=staging", null).compose(read -> {
      int version = read.bodyAsJsonObject().getInteger("version");
      JsonObject body = ops(new JsonObject().put("op", "check").put("key", "race.hot").put("expect", version),
          put("race.c" + client + ".x", tag + "-0"), put("race.shared", tag + "-1"), put("race.c" + client + ".y", tag + "-2"));
      return NODE.node().request(HttpMethod.POST, "/v1/txn?env=staging", body);
    }).compose(response -> {
      if (response.statusCode() == 200) {
        committed.add(response.bodyAsJsonObject().put("tag", tag));
      } else if (response.statusCode() == 412) {
        assertThat(response.bodyAsJsonObject().getInteger("op")).isZero();
        refused.add(tag);
      } else {
        throw new AssertionError("txn answered " + response.statusCode() + ": " + response.bodyAsString());
      }
      return transactions(client, i + 1, committed, refused);
    });
  }

  private static HttpResponse<Buffer> txn(String env, JsonObject body) {
    return NODE.node().call(HttpMethod.POST, "/v1/txn?env=" + env, body);
  }

  private static JsonObject ops(JsonObject... ops) {
    JsonArray list = new JsonArray();
    for (JsonObject op : ops) {
      list.add(op);
    }
    return new JsonObject().put("ops", list);
  }

  private static JsonObject put(String key, Object value) {
    return new JsonObject().put("op", "put").put("key", key).put("value", value);
  }

  private static long head(String env) {
    return NODE.node().get("/v1/changes?env=" + env).bodyAsJsonObject().getLong("head");
  }
}
