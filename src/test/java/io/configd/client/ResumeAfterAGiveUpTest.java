package io.configd.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.NodeScript;
import io.configd.TcpProxy;
import io.configd.TestNode;
import io.configd.TestServices;
import io.configd.model.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After a node gives up a revision (its change log could not answer within orderMaxHoldMs), a client cut while that
 * revision is late resumes before it and gets it. The test is the relay: it holds the publisher's advisory lock from
 * before the node starts (so the node never relays, as {@code BrokenRelay} does) and puts the node's committed change
 * messages on the topic in the order it chooses: revision 3 before 2, with the node's PostgreSQL cut (a TcpProxy), so
 * that 2 is given up and 3 released; the clients (Java and Node.js, through a proxy of their own) are cut, 2 comes late
 * from Kafka while they are away, then both come back and catch up.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Resuming after a give-up")
class ResumeAfterAGiveUpTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final File NODE_CLIENT = new File("clients/node");

  private TcpProxy database;
  private TcpProxy clients;
  private Connection lock;
  private TestNode node;
  private JsonObject config;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    config = TestServices.nodeConfig("ResumeAfterAGiveUpTest");
    config.put("propagation", new JsonObject().put("orderWaitMs", 20).put("orderMaxHoldMs", 300));
    PgConnectOptions pg = PgConnectOptions.fromUri(TestServices.pgUri());
    lock = DriverManager.getConnection("jdbc:postgresql://" + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase(),
        pg.getUser(), pg.getPassword());
    try (PreparedStatement statement = lock.prepareStatement(
        "select pg_try_advisory_lock(hashtextextended(? || '.configd-publisher', 0))")) {
      statement.setString(1, config.getJsonObject("pg").getString("schema"));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        assertThat(rows.getBoolean(1)).as("the publisher's lock, taken by the test").isTrue();
      }
    }
    database = new TcpProxy(vertx);
    int port = database.start(pg.getHost(), pg.getPort()).await();
    config.getJsonObject("pg").put("uri", "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@127.0.0.1:"
        + port + "/" + pg.getDatabase());
    node = TestNode.start(vertx, config).await();
    clients = new TcpProxy(vertx);
    clients.start("127.0.0.1", node.port()).await();
  }

  @AfterEach
  void stop() throws Exception {
    database.restore();
    if (node != null) {
      node.stop().await();
    }
    clients.close().await();
    database.close().await();
    lock.close();
  }

  @Test
  @DisplayName("a Java and a Node.js client cut while a given-up revision is late resume before it and receive it")
  void clientsCutWhileARevisionIsLateReceiveIt(Vertx vertx) throws Exception {
    String url = "http://127.0.0.1:" + clients.port();
    ConfigClient java = ConfigClient.builder().vertx(vertx).node(url).token(node.adminToken())
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.5).syncInterval(Duration.ofMinutes(5))
        .watch("production", "resume").build();
    java.start().await();
    BridgeTestClient frames = BridgeTestClient.connect(vertx, node.port(), node.adminToken()).await();
    frames.register(Addresses.change("production", "resume")).await();
    try (NodeScript nodeJs = NodeScript.start(NODE_CLIENT, "bin/follow.js", url, "production:resume", node.adminToken())) {
      nodeJs.await("started", WAIT);
      for (String key : List.of("resume.a", "resume.b", "resume.c")) {
        assertThat(node.put(key, "production", key).statusCode()).isEqualTo(201);
      }
      JsonObject page = node.get("/v1/changes?env=production&prefix=resume&since=0").bodyAsJsonObject();
      JsonArray items = page.getJsonArray("items");
      assertThat(items).hasSize(3);
      JsonObject a = items.getJsonObject(0).put("epoch", page.getLong("epoch"));
      JsonObject b = items.getJsonObject(1).put("epoch", page.getLong("epoch"));
      JsonObject c = items.getJsonObject(2).put("epoch", page.getLong("epoch"));
      long ra = a.getLong("revision");
      assertThat(List.of(b.getLong("revision"), c.getLong("revision"))).containsExactly(ra + 1, ra + 2);

      produce(a);
      Eventually.await("resume.a live at both clients", WAIT,
          () -> java.find("resume.a").isPresent() && has(nodeJs, "resume.a"));

      database.cut().await(); // the change log cannot answer: revision b is given up when c comes, not compacted
      produce(c);
      Eventually.await("resume.c live at both clients", WAIT,
          () -> java.find("resume.c").isPresent() && has(nodeJs, "resume.c"));
      assertThat(order().getInteger("outstanding")).as("revision b, given up and not come").isEqualTo(1);
      assertThat(frames.messages.get(frames.messages.size() - 1).getJsonObject("body").getLong("resumeAfter"))
          .as("the frame of c says where a resume is safe").isEqualTo(ra);
      assertThat(java.watermark("production", "resume")).isEqualTo(OptionalLong.of(ra));
      assertThat(java.find("resume.b")).isEmpty();

      clients.cut().await();
      Eventually.await("both clients cut", WAIT, () -> java.connectionState() != ConnectionState.BRIDGE
          && nodeJs.count("disconnected") == 1);
      produce(b); // late, while they are away
      Eventually.await("revision b released late", WAIT, () -> order().getInteger("outstanding") == 0);
      Eventually.await("the late frame", WAIT, () -> frames.messages.stream()
          .anyMatch(frame -> frame.getJsonObject("body").getString("key").equals("resume.b")));
      assertThat(frames.messages.get(frames.messages.size() - 1).getJsonObject("body").containsKey("resumeAfter"))
          .as("nothing outstanding: frames carry no resumeAfter").isFalse();

      database.restore();
      clients.restore();
      Eventually.await("resume.b at the Java client after its catch-up", WAIT, () -> java.find("resume.b").isPresent());
      Eventually.await("resume.b at the Node.js client after its catch-up (events: " + nodeJs.events() + ")", WAIT,
          () -> has(nodeJs, "resume.b"));
      assertThat(java.find("resume.b")).contains("resume.b");
    } finally {
      frames.close().await();
      java.close().await();
    }
  }

  private static boolean has(NodeScript follower, String key) {
    return follower.events().stream()
        .anyMatch(event -> "change".equals(event.getString("event")) && key.equals(event.getString("key")));
  }

  private JsonObject order() {
    return node.get("/v1/stats/propagation").bodyAsJsonObject().getJsonObject("order");
  }

  private void produce(JsonObject change) {
    Properties props = new Properties();
    props.put("bootstrap.servers", config.getJsonObject("kafka").getString("bootstrapServers"));
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(config.getJsonObject("kafka").getString("topic"), change.getString("key"),
          change.encode())).get();
    } catch (Exception e) {
      throw new AssertionError("could not produce " + change, e);
    }
  }
}
