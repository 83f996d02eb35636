package io.configd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TcpProxy;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * /ready means "can serve": a node whose PostgreSQL is cut (through a TcpProxy the test owns) still answers its cached
 * keys, so it stays ready and says it is degraded; a node that stops is not ready while it still serves.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Readiness")
class ReadinessTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private TcpProxy proxy;
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("ReadinessTest");
    config.put("cache", new JsonObject().put("pgProbeIntervalMs", 200).put("pgTimeoutMs", 1_000));
    config.put("shutdown", new JsonObject().put("readinessDelayMs", 60_000));
    PgConnectOptions pg = PgConnectOptions.fromUri(TestServices.pgUri());
    proxy = new TcpProxy(vertx);
    int port = proxy.start(pg.getHost(), pg.getPort()).await();
    config.getJsonObject("pg").put("uri", "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@127.0.0.1:"
        + port + "/" + pg.getDatabase());
    node = TestNode.start(vertx, config).await();
  }

  @AfterEach
  void stop() {
    proxy.restore();
    node.stop().await();
    proxy.close().await();
  }

  @Test
  @DisplayName("with PostgreSQL unreachable a node that answers cached reads is ready, DEGRADED, and says why")
  void degradedIsReady() {
    assertThat(node.put("ready.cached", "production", "v1").statusCode()).isEqualTo(200);
    JsonObject up = ready(200);
    assertThat(up.getString("status")).isEqualTo("UP");
    assertThat(up.getJsonObject("checks").getString("postgresql")).isEqualTo("UP");

    proxy.cut().await();
    JsonObject degraded = Eventually.value("/ready to say DEGRADED", WAIT, () -> node.get("/ready"),
        response -> response.bodyAsJsonObject().getString("status").equals("DEGRADED")).bodyAsJsonObject();
    assertThat(ready(200).getString("status")).isEqualTo("DEGRADED");
    assertThat(degraded.getJsonObject("checks").getString("postgresql")).startsWith("DOWN");
    assertThat(degraded.getString("degraded")).contains("X-Configd-Stale").contains("503");
    HttpResponse<Buffer> cached = node.get("/v1/config/ready.cached?env=production");
    assertThat(cached.statusCode()).isEqualTo(200);
    assertThat(cached.getHeader("X-Configd-Stale")).isEqualTo("true");

    proxy.restore();
    Eventually.await("/ready to say UP again", WAIT,
        () -> node.get("/ready").bodyAsJsonObject().getString("status").equals("UP"));
  }

  @Test
  @DisplayName("a stopping node answers /ready 503 at once and keeps serving for the readiness delay")
  void stoppingIsNotReady() {
    assertThat(node.put("ready.stopping", "production", "v1").statusCode()).isEqualTo(200);

    node.node().shutdown(); // the readiness delay of this test is a minute: the node stays up meanwhile

    JsonObject stopping = ready(503);
    assertThat(stopping.getString("status")).isEqualTo("DOWN");
    assertThat(stopping.getJsonObject("checks").getString("node")).isEqualTo("DRAINING");
    assertThat(node.get("/v1/config/ready.stopping?env=production").statusCode()).isEqualTo(200);
  }

  private JsonObject ready(int status) {
    HttpResponse<Buffer> response = node.get("/ready");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }
}
