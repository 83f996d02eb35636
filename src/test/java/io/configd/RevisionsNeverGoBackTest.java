package io.configd;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.client.ConfigClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Invariant 10: revisions never go back. A database restored from an older dump (pg_dump of the test's own schema,
 * pg_restore over it) is found behind what Kafka carries when the node starts: the node starts a new epoch beyond
 * every published revision, and the Java and Node.js clients, seeing it, take a fresh snapshot, so none of them keeps
 * a value that no longer exists.
 */
@DisplayName("Revisions never go back")
class RevisionsNeverGoBackTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("RevisionsNeverGoBackTest");

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ENV = "production";
  private static final File NODE_CLIENT = new File("clients/node");

  @Test
  @DisplayName("after a restore of an older dump the nodes start one new epoch past every published revision, and the "
      + "Java and Node.js clients take a fresh snapshot: no client keeps a value that no longer exists")
  void restoredDatabaseStartsNewEpoch(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    put("restore.app.a", 1);
    put("restore.app.b", 1);
    JsonObject before = changes(0);
    long firstEpoch = before.getLong("epoch");

    ConfigClient java = ConfigClient.builder().vertx(NODE.vertx()).node(url()).token(NODE.node().adminToken())
        .watch(ENV, "restore.app").backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5)
        .syncInterval(Duration.ofMinutes(5)).build();
    try (NodeScript node = NodeScript.start(NODE_CLIENT, "bin/follow.js", url(), ENV + ":restore.app",
        NODE.node().adminToken())) {
      java.start().await();
      node.await("started", WAIT);
      assertThat(java.keys()).containsExactlyInAnyOrder("restore.app.a", "restore.app.b");

      Path dump = dir.resolve("configd.dump");
      pgDump(dump);

      put("restore.app.a", 2);
      put("restore.app.c", 1);
      NODE.node().call(HttpMethod.DELETE, "/v1/config/restore.app.b?env=" + ENV, null);
      long published = changes(0).getLong("head");
      Eventually.await("the clients following the writes after the dump", WAIT,
          () -> !java.keys().contains("restore.app.b") && java.find("restore.app.c").isPresent()
              && java.find("restore.app.a").orElse(0).equals(2)
              && values(node).equals(Map.of("restore.app.a", 2, "restore.app.c", 1)));
      awaitRelayed(published);

      NODE.node().stop().await();
      NODE.startAgain();
      assertThat(changes(0).getLong("epoch")).as("a restart without a restore keeps the epoch").isEqualTo(firstEpoch);

      NODE.node().stop().await();
      pgRestore(dump);
      // two nodes start together on the restored database: they start one epoch, not two
      Vertx otherVertx = Vertx.vertx();
      Future<TestNode> starting = TestNode.start(otherVertx, TestServices.anotherNode(NODE.node().config(), "restore-2"));
      NODE.startAgain();
      TestNode second = starting.await();
      long secondEpoch;
      try {
        secondEpoch = second.get("/v1/changes?env=" + ENV + "&since=0").bodyAsJsonObject().getLong("epoch");
      } finally {
        second.stop().await();
        otherVertx.close().await();
      }

      JsonObject after = changes(0);
      assertThat(after.getLong("epoch")).as("the restored database's epoch").isGreaterThan(firstEpoch);
      assertThat(secondEpoch).as("the epoch of the node that started beside it").isEqualTo(after.getLong("epoch"));
      assertThat(after.getLong("head")).as("the head, moved past every published revision").isGreaterThanOrEqualTo(published);
      long written = put("restore.app.d", 1).getLong("revision");
      assertThat(written).as("the first revision after the restore").isGreaterThan(published);

      Map<String, Object> expected = Map.of("restore.app.a", 1, "restore.app.b", 1, "restore.app.d", 1);
      Eventually.await("the Java client's fresh snapshot (it holds " + java.keys() + ")", WAIT,
          () -> java.keys().size() == 3 && java.find("restore.app.d").isPresent());
      assertThat(java.keys()).containsExactlyInAnyOrderElementsOf(expected.keySet());
      assertThat(java.find("restore.app.a")).contains(1);
      assertThat(java.find("restore.app.b")).contains(1);
      assertThat(java.find("restore.app.c")).as("a key created after the dump").isEmpty();

      Eventually.await("the Node.js client's fresh snapshot (events: " + node.events() + ")", WAIT,
          () -> values(node).equals(expected));
      assertThat(node.count("resnapshot")).isGreaterThanOrEqualTo(1);
      assertThat(node.count("warning")).isZero();
    } finally {
      java.close().await();
    }
  }

  @Test
  @DisplayName("every answer a reader resumes from carries the epoch, and a watch from another epoch is told to take a "
      + "snapshot")
  void answersCarryTheEpoch() {
    BridgeTestClient bridge = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    try {
      bridge.register("config." + ENV + ".restore.other").await();
      bridge.request("configd.changes", new JsonObject().put("env", ENV).put("prefix", "restore.other").put("since", 0))
          .await(); // a round trip: the registration is in place
      long revision = put("restore.other.x", 1).getLong("revision");
      JsonObject changes = changes(0);
      long epoch = changes.getLong("epoch");
      assertThat(epoch).isPositive();
      assertThat(NODE.node().node().epoch()).isEqualTo(epoch);

      JsonObject snapshot = bridge.request("configd.snapshot", new JsonObject().put("env", ENV)
          .put("prefix", "restore.other")).await().getJsonObject("body");
      assertThat(snapshot.getLong("epoch")).as("configd.snapshot").isEqualTo(epoch);
      JsonObject catchUp = bridge.request("configd.changes", new JsonObject().put("env", ENV)
          .put("prefix", "restore.other").put("since", 0)).await().getJsonObject("body");
      assertThat(catchUp.getLong("epoch")).as("configd.changes").isEqualTo(epoch);
      Eventually.await("the live change", WAIT, () -> !bridge.messages.isEmpty());
      assertThat(bridge.messages.get(0).getJsonObject("body").getLong("epoch")).as("a live change frame").isEqualTo(epoch);
      List<ConsumerRecord<String, String>> records = StreamTesting.readTopic(NODE.node().config(), WAIT,
          read -> StreamTesting.revisions(read).contains(revision));
      assertThat(records.stream().map(record -> new JsonObject(record.value()))
          .filter(change -> change.getLong("revision") == revision).map(change -> change.getLong("epoch")))
          .as("the Kafka record of revision " + revision).isNotEmpty().allMatch(recorded -> recorded == epoch);
    } finally {
      bridge.close().await();
    }
    long epoch = changes(0).getLong("epoch");

    var wrongEpoch = NODE.node().get("/v1/watch?env=" + ENV + "&prefix=restore.other&since=0&epoch=" + (epoch - 1));
    assertThat(wrongEpoch.statusCode()).isEqualTo(410);
    assertThat(wrongEpoch.bodyAsJsonObject().getString("type")).endsWith("/snapshot-required");
    assertThat(wrongEpoch.bodyAsJsonObject().getString("detail")).contains("epoch " + (epoch - 1));

    var badEpoch = NODE.node().get("/v1/watch?env=" + ENV + "&prefix=restore.other&epoch=yesterday");
    assertThat(badEpoch.statusCode()).isEqualTo(400);
  }

  private static String url() {
    return "http://127.0.0.1:" + NODE.node().port();
  }

  private static JsonObject put(String key, Object value) {
    var response = NODE.node().put(key, ENV, value);
    assertThat(response.statusCode()).as("PUT " + key + ": " + response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject changes(long since) {
    var response = NODE.node().get("/v1/changes?env=" + ENV + "&since=" + since + "&limit=1000");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  /** Kafka carries every change up to the revision: what the restored node compares the database with. */
  private static void awaitRelayed(long revision) {
    Eventually.await("the relay of revision " + revision, WAIT, () -> {
      JsonObject status = NODE.node().get("/v1/stats/publisher").bodyAsJsonObject();
      return status.getLong("lastRevision", 0L) >= revision && status.getJsonObject("backlog").getLong("size") == 0;
    });
  }

  /** What the Node.js client holds: its change events replayed in order. */
  private static Map<String, Object> values(NodeScript follower) {
    Map<String, Object> held = new LinkedHashMap<>();
    JsonObject started = null;
    for (JsonObject event : follower.events()) {
      if ("started".equals(event.getString("event"))) {
        started = event;
      }
    }
    for (JsonObject event : follower.events()) {
      if (!"change".equals(event.getString("event"))) {
        continue;
      }
      if (event.getBoolean("deleted", false)) {
        held.remove(event.getString("key"));
      } else {
        held.put(event.getString("key"), event.getValue("value"));
      }
    }
    return started == null ? Map.of() : held;
  }

  private static void pgDump(Path file) throws Exception {
    run(List.of("pg_dump", "--dbname=" + pgUri(), "--schema=" + schema(), "--format=custom", "--file=" + file));
  }

  /** The documented procedure, on the test's own schema: drop what is there, restore the dump. */
  private static void pgRestore(Path file) throws Exception {
    TestServices.dropSchema(schema());
    run(List.of("pg_restore", "--dbname=" + pgUri(), "--exit-on-error", file.toString()));
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(command + " finished").isTrue();
    assertThat(process.exitValue()).as(command.get(0) + ": " + output).isZero();
  }

  private static String pgUri() {
    PgConnectOptions options = PgConnectOptions.fromUri(NODE.node().config().getJsonObject("pg").getString("uri"));
    return "postgresql://" + options.getUser() + ":" + options.getPassword() + "@" + options.getHost() + ":"
        + options.getPort() + "/" + options.getDatabase();
  }

  private static String schema() {
    return NODE.node().config().getJsonObject("pg").getString("schema");
  }
}
