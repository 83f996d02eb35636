package io.configd.store;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TcpProxy;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * store.Failures decides by SQLSTATE and exception type what is "unreachable" (503): a connection PostgreSQL resets
 * under a write is, and so is a pool with no connection free in time; a query PostgreSQL refuses is not (see
 * BadInputChangesNothingTest for input it must never see).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("PostgreSQL failures are classified")
class PostgresqlFailuresAreClassifiedTest {

  @Test
  @DisplayName("a connection reset under writes in flight answers 503 unavailable, never 500")
  void resetDuringWritesIs503(Vertx vertx) {
    PgConnectOptions pg = PgConnectOptions.fromUri(TestServices.pgUri());
    TcpProxy proxy = TcpProxy.resetting(vertx);
    int port = proxy.start(pg.getHost(), pg.getPort()).await();
    JsonObject config = TestServices.nodeConfig("PostgresqlFailuresAreClassifiedTest");
    config.getJsonObject("pg").put("uri", "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@127.0.0.1:" + port
        + "/" + pg.getDatabase());
    config.put("cache", new JsonObject().put("pgProbeIntervalMs", 200).put("pgTimeoutMs", 2_000));
    TestNode node = TestNode.start(vertx, config).await();
    Map<Integer, Integer> statuses = new TreeMap<>();
    try {
      assertThat(node.put("reset.k", "production", 0).statusCode()).isEqualTo(201);
      // the keys exist before the cut: a write that commits before it answers 200, as every later one
      for (int i = 0; i < 8; i++) {
        assertThat(node.put("reset.k" + i, "production", -1).statusCode()).isEqualTo(201);
      }
      for (int round = 0; round < 5 && !statuses.containsKey(503); round++) {
        List<Future<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          writes.add(node.request(HttpMethod.PUT, "/v1/config/reset.k" + (i % 8) + "?env=production",
              new JsonObject().put("value", i)).map(response -> response.statusCode()));
        }
        proxy.cut().await();
        Future.join(writes).await();
        writes.forEach(write -> statuses.merge(write.result(), 1, Integer::sum));
        proxy.restore();
        Eventually.await("a write through the restored proxy", Duration.ofSeconds(20),
            () -> node.put("reset.k", "production", 1).statusCode() == 200);
      }
    } finally {
      proxy.restore();
      node.stop().eventually(proxy::close).await();
    }
    assertThat(statuses).as("status: count").containsKey(503);
    assertThat(statuses.keySet()).as("status: count " + statuses).isSubsetOf(200, 503);
  }

  @Test
  @DisplayName("a request that finds no connection of the pool free within pg.connectionTimeoutMs answers 503 "
      + "unavailable with Retry-After, never 500, and writes nothing: a PUT, a rollout's start, an uncached read")
  void poolTimeoutIs503(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("PostgresqlPoolTimeout");
    config.getJsonObject("pg").put("poolSize", 1).put("connectionTimeoutMs", 1_500);
    // two batches in flight: the second asks the pool for a connection while the first holds the only one
    config.getJsonObject("http").put("maxBatchesInFlight", 2);
    TestNode node = TestNode.start(vertx, config).await();
    PgConnection blocker = PgConnection.connect(vertx, PgSettings.from(config.getJsonObject("pg")).connectOptions())
        .await();
    try {
      assertThat(node.put("held.first", "production", 0).statusCode()).isEqualTo(201);
      long head = node.get("/v1/changes?env=production").bodyAsJsonObject().getLong("head");
      int blockerPid = blocker.query("select pg_backend_pid()").execute().await().iterator().next().getInteger(0);
      Transaction held = blocker.begin().await();
      Future<HttpResponse<Buffer>> first;
      Map<String, HttpResponse<Buffer>> refused = new LinkedHashMap<>();
      try {
        blocker.query("select revision from config_revision where id = 1 for update").execute().await();
        first = node.request(HttpMethod.PUT, "/v1/config/held.first?env=production", new JsonObject().put("value", 1));
        // the node's only connection is now the first write's batch, waiting in PostgreSQL for the revision row
        Eventually.await("the first write waits for the revision row on the node's only connection",
            Duration.ofSeconds(20), () -> blocker.preparedQuery(
                "select count(*) from pg_stat_activity a where $1 = any(pg_blocking_pids(a.pid))")
                .execute(Tuple.of(blockerPid)).await().iterator().next().getInteger(0) == 1);
        // three ways of asking the pool: the write pipeline's query, a rollout's start, and an uncached read, which
        // takes a connection of its own (withConnection): its "Timeout" is the one Failures did not know
        refused.put("PUT", node.call(HttpMethod.PUT, "/v1/config/timed.out?env=production",
            new JsonObject().put("value", 2)));
        refused.put("rollout", node.call(HttpMethod.POST, "/v1/rollouts?env=production",
            new JsonObject().put("key", "rolled.out").put("value", 3).put("percentage", 10)));
        refused.put("GET", node.get("/v1/config/never.cached?env=production"));
      } finally {
        held.rollback().await();
      }
      refused.forEach((request, response) -> {
        JsonObject problem = assertProblem(response, 503, "unavailable");
        assertThat(problem.getString("detail")).as(request).contains("retry");
        assertThat(response.getHeader("Retry-After")).as("Retry-After of the %s", request).isNotNull();
        assertThat(Long.parseLong(response.getHeader("Retry-After"))).as(request).isPositive();
      });

      assertThat(first.await().statusCode()).as("the write that held the connection, once the row is free")
          .isEqualTo(200);
      JsonObject changes = node.get("/v1/changes?env=production&since=" + head).bodyAsJsonObject();
      assertThat(changes.getLong("head")).as("one revision: the first write's").isEqualTo(head + 1);
      assertThat(changes.getJsonArray("items").stream().map(item -> ((JsonObject) item).getString("key")))
          .containsExactly("held.first");
      assertThat(node.get("/v1/config/timed.out/versions?env=production").statusCode())
          .as("the timed-out write has no version").isEqualTo(404);
      assertThat(node.get("/v1/rollouts?env=production").bodyAsJsonObject().getJsonArray("items"))
          .as("the timed-out rollout was not started").isEmpty();
    } finally {
      blocker.close().eventually(node::stop).await();
    }
  }
}
