package io.configd.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TcpProxy;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node started while PostgreSQL does not answer yet (its connections closed as soon as they are accepted, through a
 * TcpProxy the test owns) keeps asking and starts once it answers; one that never answers gives up after
 * {@code pg.startWaitMs}.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A node's start while PostgreSQL does not answer yet")
class NodeWaitsForPostgresqlAtStartTest {

  private TcpProxy proxy;
  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.stop().await();
    }
    proxy.close().await();
  }

  @Test
  @DisplayName("a node whose first connections to PostgreSQL are closed asks again and starts once PostgreSQL answers")
  void startsOncePostgresqlAnswers(Vertx vertx) {
    JsonObject config = throughProxy(vertx, "NodeWaitsForPostgresqlAtStartTest");
    proxy.cut().await();
    Future<TestNode> starting = TestNode.start(vertx, config);
    // two connections refused: the node asked again after its first failed
    Eventually.await("the node's second connection attempt", Duration.ofSeconds(30), () -> proxy.accepted() >= 2);
    assertThat(starting.isComplete()).as("the node waits for PostgreSQL").isFalse();
    proxy.restore();
    node = starting.await();
    assertThat(node.put("start.waited", "production", "v1").statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("a node whose PostgreSQL never answers fails its start after pg.startWaitMs")
  void givesUpAfterTheWait(Vertx vertx) {
    JsonObject config = throughProxy(vertx, "NodeWaitsForPostgresqlAtStartTest_never");
    config.getJsonObject("pg").put("startWaitMs", 2_500);
    proxy.cut().await();
    Future<TestNode> starting = TestNode.start(vertx, config);
    Eventually.await("the node's start to fail", Duration.ofSeconds(30), starting::isComplete);
    assertThat(starting.failed()).isTrue();
    assertThat(proxy.accepted()).as("connection attempts within the wait").isGreaterThanOrEqualTo(2);
  }

  private JsonObject throughProxy(Vertx vertx, String isolation) {
    JsonObject config = TestServices.nodeConfig(isolation);
    PgConnectOptions pg = PgConnectOptions.fromUri(TestServices.pgUri());
    proxy = new TcpProxy(vertx);
    int port = proxy.start(pg.getHost(), pg.getPort()).await();
    config.getJsonObject("pg").put("uri", "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@127.0.0.1:"
        + port + "/" + pg.getDatabase());
    return config;
  }
}
