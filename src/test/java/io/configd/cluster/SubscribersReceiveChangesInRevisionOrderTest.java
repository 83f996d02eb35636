package io.configd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.KafkaBroker;
import io.configd.NodeProcess;
import io.configd.StreamTesting;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariant 3, made global: every subscriber of every node receives changes in strictly increasing revision order
 * across keys, so the newest revision it has seen is a valid resume point. Two clustered nodes in JVMs of their own on
 * a Kafka broker of the test's own, which the test restarts, and one node which it kills and starts again.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Subscribers receive changes in revision order")
class SubscribersReceiveChangesInRevisionOrderTest {

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String ENV = "production";
  private static final int KEYS = 200;
  private static final int GROUPS = 10;
  private static final int SEQUENTIAL = 2000;
  private static final int CONCURRENT = 2000;
  private static final int WRITERS = 16;

  private static KafkaBroker broker;
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static Vertx vertx;
  private static WebSocketClient sockets;

  @BeforeAll
  static void start(Vertx testVertx) {
    vertx = testVertx;
    sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(8 << 20));
    broker = KafkaBroker.start("revision-order");
    // The stream settings the fault tests use (short Kafka timeouts, a publisher that retries quickly), on our broker.
    JsonObject tuned = StreamTesting.streamConfig("RevisionOrderTuning", broker);
    for (JsonObject config : NodeProcess.clusterConfigs("RevisionOrder", 2)) {
      tuned.getJsonObject("kafka").forEach(entry -> {
        if (!entry.getKey().equals("topic") && !entry.getKey().equals("groupSuffix")) {
          config.getJsonObject("kafka").put(entry.getKey(), entry.getValue());
        }
      });
      config.put("publisher", tuned.getJsonObject("publisher").copy());
      // 4,000 writes as fast as the nodes take them: the write limits are not what this test is about
      config.getJsonObject("auth").put("limits", new JsonObject().put("writesPerSecond", 1_000_000)
          .put("writeBurst", 1_000_000).put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000));
      nodes.add(NodeProcess.start(config));
    }
    nodes.forEach(node -> node.awaitReady(WAIT));
    Eventually.await("two cluster members", WAIT,
        () -> nodes.stream().allMatch(node -> node.get("/v1/stats/cluster").getJsonArray("members").size() == 2));
  }

  @AfterAll
  static void stop() {
    NodeProcess.stopAll(nodes);
    if (broker != null) {
      broker.close();
    }
  }

  private static String key(int index) {
    return "order.g" + (index % GROUPS) + ".k" + index;
  }

  @Test
  @DisplayName("2,000 sequential and 2,000 concurrent writes over 200 keys through two nodes reach every subscriber of both in strictly increasing revision order, across a Kafka restart and a node restart")
  void revisionOrderAcrossRestarts() throws Exception {
    List<Follower> followers = new ArrayList<>();
    for (int n = 0; n < nodes.size(); n++) {
      followers.add(new Follower(n, "order"));
      followers.add(new Follower(n, "order"));
      followers.add(new Follower(n, "order.g3"));
      followers.add(new Follower(n, "order.g7"));
    }
    Future.all(followers.stream().map(Follower::connect).toList()).await();

    // Sequential writes, alternating between the nodes; Kafka stops a quarter in and comes back at the half.
    for (int i = 0; i < SEQUENTIAL; i++) {
      if (i == SEQUENTIAL / 4) {
        broker.stop();
      } else if (i == SEQUENTIAL / 2) {
        broker.restart();
      }
      nodes.get(i % 2).put(key(i % KEYS), ENV, i);
    }

    // Concurrent writes; node 2 is killed (SIGKILL) a quarter in and started again, the writers going to node 1 meanwhile.
    AtomicInteger done = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    List<java.util.concurrent.Future<?>> writing = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      writing.add(writers.submit(() -> {
        for (int i = writer; i < CONCURRENT; i += WRITERS) {
          NodeProcess second = nodes.get(1);
          NodeProcess through = i % 2 == 1 && second.isAlive() ? second : nodes.get(0);
          try {
            through.put(key(i % KEYS), ENV, SEQUENTIAL + i);
          } catch (RuntimeException | AssertionError refused) {
            // node 2 went away under this write: it may or may not have committed (the change log says), so write again
            nodes.get(0).put(key(i % KEYS), ENV, SEQUENTIAL + i);
          }
          done.incrementAndGet();
        }
        return null;
      }));
    }
    Eventually.await("a quarter of the concurrent writes", WAIT, () -> done.get() >= CONCURRENT / 4);
    nodes.get(1).kill();
    nodes.get(1).restart().awaitReady(WAIT);
    for (java.util.concurrent.Future<?> writer : writing) {
      writer.get();
    }
    writers.shutdown();

    // What every subscriber must have: the change log of its prefix, in revision order (every 200 is in it).
    Map<String, List<Long>> expected = new ConcurrentHashMap<>();
    for (Follower follower : followers) {
      expected.computeIfAbsent(follower.prefix, prefix -> changeLog(prefix));
    }
    for (Follower follower : followers) {
      List<Long> want = expected.get(follower.prefix);
      try {
        Eventually.await(follower + " to hold " + want.size() + " changes", WAIT,
            () -> follower.applied.size() + follower.violations.size() >= want.size());
      } catch (AssertionError stalled) {
        throw new AssertionError(stalled.getMessage() + "; " + follower.describe() + "; nodes: "
            + nodes.stream().filter(NodeProcess::isAlive).map(node -> node.get("/v1/stats/propagation").encode()).toList(),
            stalled);
      }
    }
    JsonObject[] order = nodes.stream().map(node -> node.get("/v1/stats/propagation").getJsonObject("order"))
        .toArray(JsonObject[]::new);
    System.out.printf("revision order: node-1 %s; node-2 %s; reconnects %s%n", order[0].encode(), order[1].encode(),
        followers.stream().map(f -> f.connections.size() - 1).toList());

    assertThat(expected.get("order")).as("changes in the log (a write retried after node 2 died may be there twice)")
        .hasSizeGreaterThanOrEqualTo(SEQUENTIAL + CONCURRENT);
    for (Follower follower : followers) {
      assertThat(follower.violations).as(follower + ": a live change below the newest it had seen, and not seen before").isEmpty();
      for (List<Long> connection : follower.connections) {
        assertThat(connection).as(follower + ": live changes on one connection").isSortedAccordingTo(Long::compare)
            .doesNotHaveDuplicates();
      }
      assertThat(follower.applied).as(follower + ": every change of its prefix, once, in revision order")
          .containsExactlyElementsOf(expected.get(follower.prefix));
    }
    assertThat(followers.stream().filter(f -> f.node == 1).allMatch(f -> f.connections.size() >= 2))
        .as("the followers of node 2 reconnected after its restart").isTrue();
    Future.all(followers.stream().map(Follower::close).toList()).await();
  }

  private static List<Long> changeLog(String prefix) {
    try {
      return StreamTesting.queryRows(nodes.get(0).config(), "select revision from config_change where env = '" + ENV
              + "' and (key = '" + prefix + "' or key like '" + prefix + ".%') order by revision").stream()
          .map(row -> ((Number) row.get("revision")).longValue()).toList();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A subscriber as the README tells a service to write one: register, then ask for the changes since the newest
   * revision it has seen, holding live changes while that answer comes; after a cut, the same from its newest revision.
   */
  private static final class Follower {
    final int node;
    final String prefix;
    /** The live changes of each connection, as they arrived. */
    final List<List<Long>> connections = new CopyOnWriteArrayList<>();
    /** What the service applied: catch-up answers and live changes, each revision once. */
    final List<Long> applied = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, Promise<JsonObject>> replies = new ConcurrentHashMap<>();
    private final List<Long> heldLive = new ArrayList<>();
    private long newest;
    private boolean catchingUp;
    private boolean closing;
    private WebSocket ws;
    private long pinger = -1;
    private volatile String lastFailure;

    Follower(int node, String prefix) {
      this.node = node;
      this.prefix = prefix;
    }

    Future<Void> connect() {
      NodeProcess target = nodes.get(node);
      List<Long> live = new CopyOnWriteArrayList<>();
      return sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(target.port())
              .setURI("/eventbus/websocket").addHeader("Authorization", "Bearer " + target.adminToken()))
          .compose(socket -> {
            ws = socket;
            connections.add(live);
            catchingUp = true;
            heldLive.clear();
            socket.textMessageHandler(text -> onFrame(live, new JsonObject(text)));
            socket.closeHandler(closed -> {
              vertx.cancelTimer(pinger);
              reconnectLater();
            });
            // A socket silent for bridge.idleTimeoutSeconds is closed: ping, as every bridge client does.
            pinger = vertx.setPeriodic(10_000, id -> socket.writeTextMessage("{\"type\":\"ping\"}"));
            return socket.writeTextMessage(new JsonObject().put("type", "register")
                .put("address", "config." + ENV + "." + prefix).encode());
          })
          .compose(registered -> catchUp())
          .onFailure(failure -> {
            lastFailure = failure.toString();
            if (ws != null && !ws.isClosed()) {
              ws.close(); // its close handler reconnects
            } else {
              reconnectLater();
            }
          });
    }

    String describe() {
      return "applied " + applied.size() + ", violations " + violations.size() + " " + violations.stream().limit(5).toList()
          + ", newest " + newest + ", catching up " + catchingUp + ", held " + heldLive.size() + ", connections "
          + connections.stream().map(List::size).toList() + ", last failure " + lastFailure;
    }

    private void reconnectLater() {
      if (!closing) {
        vertx.setTimer(250, id -> connect());
      }
    }

    private Future<Void> catchUp() {
      return request(new JsonObject().put("env", ENV).put("prefix", prefix).put("since", newest).put("limit", 1000))
          .compose(page -> {
            for (Object item : page.getJsonArray("items", new JsonArray())) {
              long revision = ((JsonObject) item).getLong("revision");
              if (revision > newest) {
                apply(revision);
              }
            }
            if (page.getBoolean("more", false)) {
              return catchUp();
            }
            catchingUp = false;
            heldLive.stream().filter(revision -> revision > newest).forEach(this::apply);
            heldLive.clear();
            return Future.succeededFuture();
          });
    }

    private Future<JsonObject> request(JsonObject body) {
      String reply = UUID.randomUUID().toString();
      Promise<JsonObject> answer = Promise.promise();
      replies.put(reply, answer);
      return ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "configd.changes").put("body", body)
          .put("replyAddress", reply).encode()).compose(written -> answer.future().timeout(30, TimeUnit.SECONDS));
    }

    private void onFrame(List<Long> live, JsonObject frame) {
      Promise<JsonObject> reply = replies.remove(frame.getString("address", ""));
      if (reply != null) {
        if ("err".equals(frame.getString("type"))) {
          reply.fail(frame.encode());
        } else {
          reply.complete(frame.getJsonObject("body"));
        }
        return;
      }
      if (!"rec".equals(frame.getString("type"))) {
        return;
      }
      long revision = frame.getJsonObject("body").getLong("revision");
      live.add(revision);
      if (catchingUp) {
        heldLive.add(revision);
      } else if (revision <= newest) {
        // The node's live stream may trail the change log a catch-up read: what the answer held already, dropped.
        // Anything else at or below the newest is a change the node sent out of order.
        if (!applied.contains(revision)) {
          violations.add("revision " + revision + " after " + newest);
        }
      } else {
        apply(revision);
      }
    }

    private void apply(long revision) {
      applied.add(revision);
      newest = revision;
    }

    Future<Void> close() {
      closing = true;
      return ws == null ? Future.succeededFuture() : ws.close();
    }

    @Override
    public String toString() {
      return "subscriber of " + prefix + " on node " + (node + 1);
    }
  }
}
