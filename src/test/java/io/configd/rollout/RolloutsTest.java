package io.configd.rollout;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.configd.model.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16 items 2-4 on one node against the real services: gray releases and staged rollouts, what each reader
 * receives of them in catch-up and snapshots, promotion, abort, the plan driven by the leader, and bad input.
 */
@DisplayName("Rollouts")
class RolloutsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String ENV = "production";

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("RolloutsTest", config -> {
    JsonObject publisher = config.getJsonObject("publisher", new JsonObject());
    config.put("publisher", publisher.put("rolloutTickMs", 100));
    config.getJsonObject("auth").put("limits", new JsonObject().put("writesPerSecond", 1_000_000)
        .put("writeBurst", 1_000_000).put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000));
  });

  private static TestNode node() {
    return NODE.node();
  }

  private static HttpResponse<Buffer> post(String uri, JsonObject body) {
    return node().call(HttpMethod.POST, uri, body);
  }

  private static JsonObject start(JsonObject body) {
    HttpResponse<Buffer> response = post("/v1/rollouts?env=" + ENV, body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    assertThat(response.getHeader("Location")).isEqualTo("/v1/rollouts/" + response.bodyAsJsonObject().getLong("id"));
    return response.bodyAsJsonObject();
  }

  private static JsonObject rollout(long id) {
    return node().get("/v1/rollouts/" + id).bodyAsJsonObject();
  }

  private static long head() {
    return node().get("/v1/changes?env=" + ENV + "&since=0&limit=1").bodyAsJsonObject().getLong("head");
  }

  /** An instance as the bridge names it in a snapshot or catch-up request (Instance#toJson). */
  private static JsonObject instance(String id, String... labels) {
    JsonObject json = new JsonObject();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      json.put(labels[i], labels[i + 1]);
    }
    return new JsonObject().put("instance", id).put("labels", json);
  }

  /** What the bridge asks for a socket of that instance (null: anonymous): the catch-up after {@code since}. */
  private static JsonArray changesFor(JsonObject instance, String prefix, long since) {
    JsonObject ask = new JsonObject().put("env", ENV).put("prefix", prefix).put("since", since).put("limit", 1000);
    if (instance != null) {
      ask.put("instance", instance);
    }
    return NODE.vertx().eventBus().<JsonObject>request(Addresses.CHANGES, ask, new DeliveryOptions().setLocalOnly(true))
        .await().body().getJsonArray("items");
  }

  /** The value a snapshot gives that instance (null: anonymous) for the key. */
  private static Object snapshotValue(JsonObject instance, String key) {
    JsonObject ask = new JsonObject().put("env", ENV).put("prefix", key);
    if (instance != null) {
      ask.put("instance", instance);
    }
    JsonArray items = NODE.vertx().eventBus().<JsonObject>request(Addresses.SNAPSHOT, ask,
        new DeliveryOptions().setLocalOnly(true)).await().body().getJsonArray("items");
    return items.stream().map(JsonObject.class::cast).filter(item -> item.getString("key").equals(key))
        .findFirst().map(item -> item.getValue("value")).orElse(null);
  }

  private static List<JsonObject> audit(String key) {
    return node().get("/v1/audit?env=" + ENV + "&prefix=" + key + "&limit=1000").bodyAsJsonObject()
        .getJsonArray("items").stream().map(JsonObject.class::cast).toList();
  }

  @Test
  @DisplayName("a gray release to zone=eu-1 reaches the eu-1 instances in catch-up and snapshots; other instances and "
      + "anonymous readers keep the released value; abort brings eu-1 back, both audited and relayed through Kafka")
  void grayReleaseBySelector() {
    node().put("gray.sel.pool", ENV, 10);
    long before = head();
    JsonObject started = start(new JsonObject().put("key", "gray.sel.pool").put("value", 20)
        .put("selector", "zone = eu-1").put("comment", "bigger pool"));
    long id = started.getLong("id");
    assertThat(started.getString("state")).isEqualTo("active");
    assertThat(started.getString("selector")).isEqualTo("zone=eu-1");
    assertThat(started.getInteger("baseVersion")).isEqualTo(1);
    assertThat(started.getLong("revision")).isEqualTo(before + 1);

    JsonObject eu = instance("eu-pod-1", "zone", "eu-1");
    JsonObject us = instance("us-pod-1", "zone", "us-1");
    JsonArray euChanges = changesFor(eu, "gray.sel", before);
    assertThat(euChanges).hasSize(1);
    assertThat(euChanges.getJsonObject(0).getInteger("value")).isEqualTo(20);
    assertThat(euChanges.getJsonObject(0).getInteger("version")).isEqualTo(1);
    assertThat(euChanges.getJsonObject(0).getJsonObject("rollout"))
        .isEqualTo(new JsonObject().put("id", id).put("action", "target").put("selector", "zone=eu-1"));
    assertThat(changesFor(us, "gray.sel", before)).isEmpty();
    assertThat(changesFor(null, "gray.sel", before)).isEmpty();
    JsonObject page = node().get("/v1/changes?env=" + ENV + "&prefix=gray.sel&since=" + before).bodyAsJsonObject();
    assertThat(page.getJsonArray("items")).isEmpty();
    assertThat(page.getLong("next")).isGreaterThanOrEqualTo(before + 1);
    assertThat(snapshotValue(eu, "gray.sel.pool")).isEqualTo(20);
    assertThat(snapshotValue(us, "gray.sel.pool")).isEqualTo(10);
    assertThat(snapshotValue(null, "gray.sel.pool")).isEqualTo(10);
    assertThat(node().get("/v1/config/gray.sel.pool?env=" + ENV).bodyAsJsonObject().getInteger("value")).isEqualTo(10);

    // a second live rollout of the key is refused, and changes nothing
    long afterStart = head();
    assertProblem(post("/v1/rollouts?env=" + ENV, new JsonObject().put("key", "gray.sel.pool").put("value", 30)
        .put("percentage", 5)), 409, "conflict");
    assertThat(head()).isEqualTo(afterStart);

    HttpResponse<Buffer> aborted = post("/v1/rollouts/" + id + "/abort", new JsonObject().put("reason", "p99 up"));
    assertThat(aborted.statusCode()).as(aborted.bodyAsString()).isEqualTo(200);
    assertThat(aborted.bodyAsJsonObject().getString("state")).isEqualTo("aborted");
    assertThat(aborted.bodyAsJsonObject().getString("stopReason")).isEqualTo("p99 up");
    JsonArray back = changesFor(eu, "gray.sel", afterStart);
    assertThat(back).hasSize(1);
    assertThat(back.getJsonObject(0).getInteger("value")).isEqualTo(10);
    assertThat(back.getJsonObject(0).getJsonObject("rollout").getString("action")).isEqualTo("abort");
    assertThat(changesFor(us, "gray.sel", afterStart)).isEmpty();
    assertThat(snapshotValue(eu, "gray.sel.pool")).isEqualTo(10);
    assertProblem(post("/v1/rollouts/" + id + "/abort", null), 409, "conflict");

    long abortRevision = aborted.bodyAsJsonObject().getLong("revision");
    List<JsonObject> audit = Eventually.value("the audit rows", WAIT, () -> audit("gray.sel.pool"), rows -> rows.size() == 3);
    assertThat(audit).extracting(row -> row.getLong("revision")).containsExactly(before, before + 1, abortRevision);
    assertThat(audit.get(1).getString("comment")).contains("rollout " + id + " started", "zone=eu-1", "bigger pool");
    assertThat(audit.get(1).getInteger("newValue")).isEqualTo(20);
    assertThat(audit.get(2).getString("comment")).contains("rollout " + id + " aborted", "p99 up");
    assertThat(audit.get(2).getInteger("newValue")).isEqualTo(10);

    var records = StreamTesting.readTopic(node().config(), WAIT,
        read -> StreamTesting.revisions(read).containsAll(List.of(before + 1, abortRevision)));
    Map<Long, JsonObject> relayed = records.stream().map(record -> new JsonObject(record.value()))
        .collect(Collectors.toMap(change -> change.getLong("revision"), change -> change, (a, b) -> a));
    assertThat(relayed.get(before + 1).getJsonObject("rollout").getString("action")).isEqualTo("target");
    assertThat(relayed.get(abortRevision).getJsonObject("rollout").getString("action")).isEqualTo("abort");
  }

  @Test
  @DisplayName("10 % then 50 % by a stable hash: the 10 % are a subset of the 50 %; promote makes it a new released "
      + "version for everyone; promoting it again is a 409")
  void percentageGrowsThenPromote() {
    node().put("gray.pct.flag", ENV, "off");
    List<JsonObject> fleet = IntStream.range(0, 200).mapToObj(i -> instance("app-" + i, "zone", i % 2 == 0 ? "eu-1" : "us-1"))
        .toList();
    JsonObject started = start(new JsonObject().put("key", "gray.pct.flag").put("value", "on").put("percentage", 10));
    long id = started.getLong("id");
    Set<String> ten = running(fleet, "gray.pct.flag", "on");
    assertThat(ten.size()).isBetween(8, 40);

    HttpResponse<Buffer> widened = post("/v1/rollouts/" + id + "/target", new JsonObject().put("percentage", 50));
    assertThat(widened.statusCode()).as(widened.bodyAsString()).isEqualTo(200);
    assertThat(widened.bodyAsJsonObject().getInteger("percentage")).isEqualTo(50);
    Set<String> fifty = running(fleet, "gray.pct.flag", "on");
    assertThat(fifty).containsAll(ten);
    assertThat(fifty.size()).isBetween(70, 130);

    HttpResponse<Buffer> promoted = post("/v1/rollouts/" + id + "/promote", new JsonObject());
    assertThat(promoted.statusCode()).as(promoted.bodyAsString()).isEqualTo(200);
    assertThat(promoted.bodyAsJsonObject().getString("state")).isEqualTo("promoted");
    assertThat(promoted.bodyAsJsonObject().getInteger("promotedVersion")).isEqualTo(2);
    JsonObject released = node().get("/v1/config/gray.pct.flag?env=" + ENV).bodyAsJsonObject();
    assertThat(released.getString("value")).isEqualTo("on");
    assertThat(released.getInteger("version")).isEqualTo(2);
    assertThat(running(fleet, "gray.pct.flag", "on")).hasSize(200);
    assertThat(snapshotValue(null, "gray.pct.flag")).isEqualTo("on");

    long afterPromote = head();
    assertProblem(post("/v1/rollouts/" + id + "/promote", null), 409, "conflict");
    assertProblem(post("/v1/rollouts/" + id + "/target", new JsonObject().put("percentage", 60)), 409, "conflict");
    assertThat(head()).isEqualTo(afterPromote);
  }

  private static Set<String> running(List<JsonObject> fleet, String key, Object value) {
    Set<String> running = new HashSet<>();
    for (JsonObject instance : fleet) {
      if (value.equals(snapshotValue(instance, key))) {
        running.add(instance.getString("instance"));
      }
    }
    return running;
  }

  @Test
  @DisplayName("a plan of steps advances by itself on the leader, each step exactly once and in order, then promotes")
  void planAdvancesAndPromotes() {
    node().put("plan.auto.timeout", ENV, 100);
    JsonObject started = start(new JsonObject().put("key", "plan.auto.timeout").put("value", 200)
        .put("steps", new JsonArray().add(step(10, 0)).add(step(50, "PT0S")).add(step(100, 0))));
    long id = started.getLong("id");
    assertThat(started.getInteger("step")).isZero();
    assertThat(started.getInteger("percentage")).isEqualTo(10);
    JsonObject done = Eventually.value("rollout " + id + " promoted", WAIT, () -> rollout(id),
        r -> r.getString("state").equals("promoted"));
    assertThat(done.getInteger("step")).isEqualTo(2);
    assertThat(done.getInteger("promotedVersion")).isEqualTo(2);
    // the leader's promotion reaches the caches through the change stream, as any write of another node
    Eventually.await("the promoted value read", WAIT,
        () -> node().get("/v1/config/plan.auto.timeout?env=" + ENV).bodyAsJsonObject().getInteger("value") == 200);

    List<String> comments = Eventually.value("the promotion audited", WAIT, () -> audit("plan.auto.timeout"),
        rows -> rows.size() == 5).stream().map(row -> row.getString("comment")).toList();
    assertThat(comments.get(1)).contains("rollout " + id + " started", "10 %");
    assertThat(comments.get(2)).contains("rollout " + id + " step 2 of 3", "50 %");
    assertThat(comments.get(3)).contains("rollout " + id + " step 3 of 3", "100 %");
    assertThat(comments.get(4)).contains("rollout " + id + " promoted");
  }

  private static JsonObject step(int percentage, Object bake) {
    return new JsonObject().put("percentage", percentage).put("bake", bake);
  }

  @Test
  @DisplayName("pause holds a plan, resume goes on; an external alarm rolls it back at once and says why")
  void pauseResumeAlarm() {
    node().put("plan.alarm.rate", ENV, 1);
    long id = start(new JsonObject().put("key", "plan.alarm.rate").put("value", 2).put("selector", "zone=eu-1")
        .put("steps", new JsonArray().add(step(10, "PT1H")).add(step(100, "PT1H")))).getLong("id");
    JsonObject paused = post("/v1/rollouts/" + id + "/pause", new JsonObject().put("reason", "weekend")).bodyAsJsonObject();
    assertThat(paused.getString("state")).isEqualTo("paused");
    assertThat(paused.getString("stopReason")).isEqualTo("weekend");
    assertProblem(post("/v1/rollouts/" + id + "/pause", null), 409, "conflict");
    JsonObject resumed = post("/v1/rollouts/" + id + "/resume", null).bodyAsJsonObject();
    assertThat(resumed.getString("state")).isEqualTo("active");
    assertProblem(post("/v1/rollouts/" + id + "/resume", null), 409, "conflict");

    HttpResponse<Buffer> alarm = node().call(HttpMethod.POST, "/v1/rollouts/" + id + "/alarm",
        new JsonObject().put("title", "error rate over 5 %").put("severity", "critical"));
    assertThat(alarm.statusCode()).as(alarm.bodyAsString()).isEqualTo(200);
    assertThat(alarm.bodyAsJsonObject().getString("state")).isEqualTo("rolled-back");
    assertThat(alarm.bodyAsJsonObject().getString("stopReason")).contains("alarm", "error rate over 5 %");
    assertThat(node().get("/v1/rollouts?env=" + ENV + "&prefix=plan.alarm&state=rolled-back").bodyAsJsonObject()
        .getJsonArray("items")).extracting(item -> ((JsonObject) item).getLong("id")).containsExactly(id);
  }

  @Test
  @DisplayName("order=newest lists the rollouts newest first, its cursor paging on to older ones; the default stays "
      + "oldest first")
  void newestFirst() {
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String key = "paged.newest.k" + i;
      assertThat(node().put(key, ENV, i).statusCode()).isEqualTo(201);
      ids.add(start(new JsonObject().put("key", key).put("value", i + 100).put("percentage", 10)).getLong("id"));
    }
    List<Long> seen = new java.util.ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = node().get("/v1/rollouts?env=" + ENV + "&prefix=paged.newest&order=newest&limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor)).bodyAsJsonObject();
      assertThat(page.getJsonArray("items").size()).isLessThanOrEqualTo(2);
      page.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getLong("id")));
      cursor = page.getString("next");
    } while (cursor != null);
    List<Long> newestFirst = new java.util.ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    assertThat(seen).containsExactlyElementsOf(newestFirst);
    assertThat(node().get("/v1/rollouts?env=" + ENV + "&prefix=paged.newest&limit=1").bodyAsJsonObject()
        .getJsonArray("items").getJsonObject(0).getLong("id")).isEqualTo(ids.get(0));
  }

  @Test
  @DisplayName("a version released while a rollout is live supersedes it: it is marked so, and promoting it is a 409")
  void supersededByARelease() {
    node().put("gray.sup.mode", ENV, "a");
    long id = start(new JsonObject().put("key", "gray.sup.mode").put("value", "b").put("percentage", 50)).getLong("id");
    node().put("gray.sup.mode", ENV, "c");
    Eventually.value("rollout " + id + " superseded", WAIT, () -> rollout(id),
        r -> r.getString("state").equals("superseded"));
    assertProblem(post("/v1/rollouts/" + id + "/promote", null), 409, "conflict");
    assertThat(node().get("/v1/config/gray.sup.mode?env=" + ENV).bodyAsJsonObject().getString("value")).isEqualTo("c");
    // a new rollout of the key may start now
    start(new JsonObject().put("key", "gray.sup.mode").put("value", "d").put("percentage", 1));
  }

  @Test
  @DisplayName("bad input (invalid selector, percentage outside 0-100, a plan without steps, ...) is a 400, a missing "
      + "key 404, a token without write 403: problem+json, and nothing changes")
  void badInputChangesNothing() {
    node().put("bad.input.key", ENV, 1);
    long before = head();
    List<JsonObject> bad = List.of(
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("selector", "zone in (eu-1"),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("selector", "zone=="),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("percentage", 101),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("percentage", -1),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("percentage", "10"),
        new JsonObject().put("key", "bad.input.key").put("value", 2),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("steps", new JsonArray()),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("steps", new JsonArray().add(step(10, 0))),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("steps", new JsonArray().add(step(50, 0))
            .add(step(10, 0)).add(step(100, 0))),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("steps", new JsonArray().add(step(100, "soon"))),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("steps", new JsonArray().add(step(100, -1))),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("percentage", 10)
            .put("steps", new JsonArray().add(step(100, 0))),
        new JsonObject().put("key", "bad.input.key").put("percentage", 10),
        new JsonObject().put("key", "bad.input.key").putNull("value").put("percentage", 10),
        new JsonObject().put("value", 2).put("percentage", 10),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("percentage", 10).put("selecter", "a=b"),
        new JsonObject().put("key", "bad.input.key").put("value", 2).put("percentage", 10).put("failureThreshold", -1));
    for (JsonObject body : bad) {
      assertProblem(post("/v1/rollouts?env=" + ENV, body), 400, "invalid-body");
    }
    assertProblem(post("/v1/rollouts?env=" + ENV, new JsonObject().put("key", "bad..key").put("value", 2)
        .put("percentage", 1)), 400, "invalid-key");
    assertProblem(post("/v1/rollouts?env=nowhere", new JsonObject().put("key", "bad.input.key").put("value", 2)
        .put("percentage", 1)), 400, "unknown-environment");
    assertProblem(post("/v1/rollouts?env=" + ENV, new JsonObject().put("key", "bad.input.never").put("value", 2)
        .put("percentage", 1)), 404, "not-found");
    assertProblem(post("/v1/rollouts?env=" + ENV, new JsonObject().put("key", "bad.input.key").put("value", 2)
        .put("percentage", 1).put("expectedVersion", 7)), 412, "precondition-failed");
    String reader = node().createToken("rollout-reader", ENV, "bad.input", "read");
    assertProblem(node().as(reader).call(HttpMethod.POST, "/v1/rollouts?env=" + ENV, new JsonObject()
        .put("key", "bad.input.key").put("value", 2).put("percentage", 1)), 403, "forbidden");
    assertProblem(post("/v1/rollouts/999999999/promote", null), 404, "not-found");
    assertProblem(post("/v1/rollouts/nope/abort", null), 404, "not-found");
    assertProblem(node().get("/v1/rollouts?state=finished"), 400, "invalid-parameter");
    assertProblem(node().get("/v1/rollouts?order=latest"), 400, "invalid-parameter");

    assertThat(head()).isEqualTo(before);
    assertThat(node().get("/v1/rollouts?prefix=bad.input").bodyAsJsonObject().getJsonArray("items")).isEmpty();

    // a rollout the token may not write cannot be promoted or aborted by it either
    long id = start(new JsonObject().put("key", "bad.input.key").put("value", 3).put("percentage", 5)).getLong("id");
    long started = head();
    assertProblem(node().as(reader).call(HttpMethod.POST, "/v1/rollouts/" + id + "/promote", null), 403, "forbidden");
    assertProblem(node().as(reader).call(HttpMethod.POST, "/v1/rollouts/" + id + "/abort", null), 403, "forbidden");
    assertProblem(post("/v1/rollouts/" + id + "/target", new JsonObject().put("percentage", 200)), 400, "invalid-body");
    assertProblem(post("/v1/rollouts/" + id + "/target", new JsonObject().put("selector", "(")), 400, "invalid-body");
    assertThat(head()).isEqualTo(started);
    assertThat(node().as(reader).get("/v1/rollouts/" + id).bodyAsJsonObject().getString("state")).isEqualTo("active");
  }
}
