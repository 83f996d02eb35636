package io.configd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.NodeProcess;
import io.configd.TestServices;
import io.configd.client.ConfigClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGTERM to a node under load (a node in a JVM of its own, stopped as Kubernetes stops a pod): not ready first while
 * it still serves, bridge clients told to reconnect elsewhere, requests in flight finished, then the process exits.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("SIGTERM")
class GracefulShutdownTest {

  private static final String ENV = "production";
  private static final int CLIENTS = 4;
  private static final int MAX_REQUESTS_PER_CLIENT = 20_000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** One request of the load: when it was sent (System.nanoTime) and what came back. */
  private record Outcome(long sentAt, String method, int status, String failure) {
  }

  private NodeProcess node;
  private NodeProcess other;
  private ConfigClient client;
  private volatile long signalledAt = Long.MAX_VALUE;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close().await();
    }
    for (NodeProcess process : new NodeProcess[] {node, other}) {
      if (process != null && process.isAlive()) {
        process.kill();
      }
    }
  }

  @Test
  @DisplayName("under load: /ready turns 503 while requests are still served, bridge sockets get close code 1001 and "
      + "the Java client moves to the other node, a request in flight when the server stops accepting is answered, "
      + "and no request sent before the signal gets a reset")
  void stopsWithoutResettingRequests(Vertx vertx) throws Exception {
    JsonObject config = TestServices.nodeConfig("GracefulShutdownTest");
    config.put("shutdown", new JsonObject().put("readinessDelayMs", 3_000).put("requestGraceMs", 20_000));
    node = NodeProcess.start(config);
    other = NodeProcess.start(TestServices.anotherNode(config, "graceful-other"));
    node.awaitReady(Duration.ofSeconds(120));
    other.awaitReady(Duration.ofSeconds(120));
    node.put("shutdown.key", ENV, "v0");
    String stopping = "http://127.0.0.1:" + node.port();
    String staying = "http://127.0.0.1:" + other.port();
    client = ConfigClient.builder().node(stopping).node(staying).token(node.adminToken()).watch(ENV, "shutdown")
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2).build();
    client.start().await();
    assertThat(client.connectedNode()).contains(stopping);
    int port = node.port();
    String token = node.adminToken();

    BridgeTestClient subscriber = BridgeTestClient.connect(vertx, port, token).await();
    subscriber.register("config.production.shutdown").await();

    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      int client = i;
      Thread thread = new Thread(() -> load(port, token, client, outcomes), "load-" + i);
      thread.start();
      clients.add(thread);
    }
    Eventually.await("load on the node", WAIT, () -> outcomes.size() >= 200);

    // A PUT whose head and half its body reached the node before the signal, the rest after the server stopped accepting
    RawHttp slow = new RawHttp(port);
    String body = new JsonObject().put("value", "written while stopping").encode();
    slow.send("PUT", "/v1/config/shutdown.slow?env=" + ENV, token, "application/json", body.length(),
        body.substring(0, 10));

    signalledAt = System.nanoTime();
    node.terminate();

    Eventually.await("/ready to answer 503 while the node still serves", WAIT, () -> readyStatus(port) == 503);
    Eventually.await("a request sent after the signal answered, during the readiness delay", WAIT,
        () -> outcomes.stream().anyMatch(o -> o.sentAt() > signalledAt && o.status() == 200));
    subscriber.closed().await();
    assertThat(subscriber.closeCode()).as("the bridge socket's close code").isEqualTo((short) 1001);
    Eventually.await("the Java client on the other node", WAIT, () -> client.connectedNode().equals(Optional.of(staying)));
    Eventually.await("the server to stop accepting connections", WAIT, () -> refused(port));

    slow.write(body.substring(10));
    RawHttp.Response answered = slow.read();
    assertThat(answered.status()).as(answered.body()).isEqualTo(200);
    assertThat(new JsonObject(answered.body()).getString("value")).isEqualTo("written while stopping");
    slow.close();

    for (Thread thread : clients) {
      thread.join(WAIT.toMillis());
    }
    node.awaitExit(WAIT);

    other.put("shutdown.after", ENV, "moved");
    Eventually.await("a change through the other node at the client", WAIT,
        () -> client.find("shutdown.after").equals(Optional.of("moved")));

    List<Outcome> beforeSignal = outcomes.stream().filter(o -> o.sentAt() < signalledAt).toList();
    assertThat(beforeSignal).hasSizeGreaterThan(200);
    assertThat(beforeSignal.stream().filter(o -> o.failure() != null).toList())
        .as("requests sent before SIGTERM that got no answer").isEmpty();
    assertThat(beforeSignal.stream().filter(o -> o.status() != 200).toList()).as("answers other than 200").isEmpty();
  }

  /** One client: GETs and some PUTs over a keep-alive connection until the node refuses connections (or a bound). */
  private void load(int port, String token, int client, List<Outcome> outcomes) {
    RawHttp connection = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && System.nanoTime() < deadline; i++) {
      try {
        if (connection == null) {
          connection = new RawHttp(port);
        }
      } catch (IOException e) {
        if (System.nanoTime() > signalledAt) {
          return; // the node stopped listening after the signal: the end of the load
        }
        outcomes.add(new Outcome(System.nanoTime(), "CONNECT", -1, e.toString()));
        continue;
      }
      boolean write = i % 4 == 3;
      String method = write ? "PUT" : "GET";
      long sentAt = System.nanoTime();
      try {
        if (write) {
          String body = new JsonObject().put("value", "c" + client + "-" + i).encode();
          connection.send("PUT", "/v1/config/shutdown.c" + client + "?env=" + ENV, token, "application/json",
              body.length(), body);
        } else {
          connection.send("GET", "/v1/config/shutdown.key?env=" + ENV, token, null, 0, null);
        }
        RawHttp.Response response = connection.read();
        outcomes.add(new Outcome(sentAt, method, response.status(), null));
        if (response.closesConnection()) {
          connection.close();
          connection = null;
        }
      } catch (IOException e) {
        outcomes.add(new Outcome(sentAt, method, -1, e.toString()));
        closeQuietly(connection);
        connection = null;
      }
    }
    closeQuietly(connection);
  }

  private static int readyStatus(int port) {
    try (RawHttp http = new RawHttp(port)) {
      http.send("GET", "/ready", null, null, 0, null);
      return http.read().status();
    } catch (IOException e) {
      return -1;
    }
  }

  private static boolean refused(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void closeQuietly(RawHttp connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
