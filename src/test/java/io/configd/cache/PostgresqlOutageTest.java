package io.configd.cache;

import static io.configd.cache.CacheTesting.ENV;
import static io.configd.cache.CacheTesting.counter;
import static io.configd.cache.CacheTesting.get;
import static io.configd.cache.CacheTesting.put;
import static io.configd.cache.CacheTesting.stats;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TcpProxy;
import io.configd.TestNode;
import io.configd.TestServices;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.store.PgSettings;
import io.configd.store.Precondition;
import io.configd.store.Write;
import io.configd.store.WritePipeline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A node that reaches PostgreSQL through a TcpProxy, which the test cuts. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("PostgreSQL unreachable")
class PostgresqlOutageTest {

  private static final String STALE = "X-Configd-Stale";
  private static final String IN_NEAR_CACHE = "services.payment.database_url";
  private static final String IN_REDIS_ONLY = "services.payment.pool_size";
  private static final String IN_NO_CACHE = "services.payment.retries";

  private TcpProxy proxy;
  private TestNode node;
  private Pool pool;
  private RedisTier otherNode;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = CacheTesting.isolatedConfig("PostgresqlOutageTest");
    config.put("cache", new JsonObject().put("pgProbeIntervalMs", 200).put("pgTimeoutMs", 1_000));
    PgConnectOptions pg = PgConnectOptions.fromUri(TestServices.pgUri());
    proxy = new TcpProxy(vertx);
    proxy.start(pg.getHost(), pg.getPort())
        .compose(port -> {
          config.getJsonObject("pg").put("uri", "postgresql://" + pg.getUser() + ":" + pg.getPassword() + "@127.0.0.1:"
              + port + "/" + pg.getDatabase());
          return TestNode.start(vertx, config);
        })
        .onComplete(testContext.succeeding(started -> {
          node = started;
          pool = PgSettings.from(config.getJsonObject("pg")).pool(vertx);
          // the node keys Redis by its epoch: so does the other node this test plays
          CacheSettings cache = CacheSettings.from(config);
          otherNode = new RedisTier(vertx, cache.withNamespace(cache.namespace() + "e" + started.node().epoch() + ":"),
              new CacheStats(), (from, to) -> { });
          testContext.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    proxy.restore();
    Future.join(node.stop(), pool.close(), otherNode.close()).eventually(proxy::close)
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("cached keys answer 200 marked stale from the near cache or Redis, an uncached key, the listing and "
      + "a write get 503 problem+json, and answers are fresh again once PostgreSQL is back")
  void staleAnswersWhilePostgresqlIsCut(Vertx vertx, VertxTestContext testContext) {
    WritePipeline store = new WritePipeline(pool, 1000, 2);
    put(node, IN_NEAR_CACHE, "jdbc:postgresql://db/payments") // the writer keeps it in its near cache
        .compose(v -> writeElsewhere(store, IN_REDIS_ONLY, 20))
        .compose(otherNode::fill) // as another node would after reading it
        .compose(v -> writeElsewhere(store, IN_NO_CACHE, 3))
        .compose(v -> get(node, IN_NEAR_CACHE))
        .compose(fresh -> {
          testContext.verify(() -> {
            assertThat(fresh.statusCode()).isEqualTo(200);
            assertThat(fresh.getHeader(STALE)).isNull();
          });
          return proxy.cut();
        })
        .compose(cut -> CacheTesting.until(vertx, 10_000, "the near-cache answer is marked stale",
            () -> get(node, IN_NEAR_CACHE), response -> "true".equals(response.getHeader(STALE))))
        .compose(near -> {
          testContext.verify(() -> {
            assertThat(near.statusCode()).isEqualTo(200);
            assertThat(near.bodyAsJsonObject().getString("value")).isEqualTo("jdbc:postgresql://db/payments");
          });
          return get(node, IN_REDIS_ONLY);
        })
        .compose(fromRedis -> {
          testContext.verify(() -> {
            assertThat(fromRedis.statusCode()).isEqualTo(200);
            assertThat(fromRedis.getHeader(STALE)).isEqualTo("true");
            assertThat(fromRedis.bodyAsJsonObject().getInteger("value")).isEqualTo(20);
          });
          return get(node, IN_NO_CACHE);
        })
        .compose(uncached -> {
          assertUnavailable(testContext, uncached);
          return node.http().get("/v1/config").addQueryParam("env", ENV).addQueryParam("prefix", "services").send();
        })
        .compose(listing -> {
          assertUnavailable(testContext, listing);
          return put(node, IN_NO_CACHE, 4);
        })
        .compose(write -> {
          assertUnavailable(testContext, write);
          return stats(node);
        })
        .compose(during -> {
          testContext.verify(() -> {
            assertThat(during.getJsonObject("postgresql").getBoolean("up")).isFalse();
            assertThat(counter(during, "fallbacks", "staleServed")).isGreaterThanOrEqualTo(2);
            assertThat(counter(during, "fallbacks", "unavailable")).isGreaterThanOrEqualTo(2);
          });
          proxy.restore();
          return CacheTesting.until(vertx, 10_000, "answers are fresh again", () -> get(node, IN_NEAR_CACHE),
              response -> response.statusCode() == 200 && response.getHeader(STALE) == null);
        })
        .compose(v -> get(node, IN_NO_CACHE))
        .onComplete(testContext.succeeding(back -> testContext.verify(() -> {
          assertThat(back.statusCode()).isEqualTo(200);
          assertThat(back.getHeader(STALE)).isNull();
          assertThat(back.bodyAsJsonObject().getInteger("value")).isEqualTo(3);
          testContext.completeNow();
        })));
  }

  private static void assertUnavailable(VertxTestContext testContext, HttpResponse<Buffer> response) {
    testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
      assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("/problems/unavailable");
    });
  }

  private static Future<ConfigValue> writeElsewhere(WritePipeline store, String key, Object value) {
    return store.write(new Write(ENV, ConfigKey.parse(key), Json.encode(value), false, null, null, "test",
        Precondition.NONE));
  }
}
