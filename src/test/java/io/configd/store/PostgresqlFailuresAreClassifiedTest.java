package io.configd.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TcpProxy;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * store.Failures decides by SQLSTATE and exception type what is "unreachable" (503): a connection PostgreSQL resets
 * under a write is; a query PostgreSQL refuses is not (see BadInputChangesNothingTest for input it must never see).
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

}
