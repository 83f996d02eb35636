package io.configd.cache;

import static io.configd.cache.CacheTesting.ENV;
import static io.configd.cache.CacheTesting.counter;
import static io.configd.cache.CacheTesting.get;
import static io.configd.cache.CacheTesting.put;
import static io.configd.cache.CacheTesting.stats;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNode;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.store.PgSettings;
import io.configd.store.Precondition;
import io.configd.store.Write;
import io.configd.store.WritePipeline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("The read path of one node")
class CacheReadPathTest {

  private JsonObject config;
  private TestNode node;
  private Pool pool;
  private WritePipeline store;
  private Redis redis;
  private String namespace;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    config = CacheTesting.isolatedConfig("CacheReadPathTest");
    namespace = config.getJsonObject("redis").getString("namespace");
    redis = Redis.createClient(vertx, config.getJsonObject("redis").getString("uri"));
    TestNode.start(vertx, config).onComplete(testContext.succeeding(started -> {
      node = started;
      namespace += "e" + started.node().epoch() + ":"; // the node keys Redis by its epoch too
      pool = PgSettings.from(config.getJsonObject("pg")).pool(vertx);
      store = new WritePipeline(pool, 1000, 2);
      testContext.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    Future.join(node.stop(), pool.close(), redis.close()).onComplete(testContext.succeedingThenComplete());
  }

  /** A write that this node's cache is not told of, as when another node took it. */
  private Future<ConfigValue> writeElsewhere(String key, Object value) {
    return store.write(new Write(ENV, ConfigKey.parse(key), Json.encode(value), false, null, null, "test",
        Precondition.NONE));
  }

  @Test
  @DisplayName("a first read misses both caches, reads PostgreSQL and fills Redis with a TTL, the next read is a near-cache hit")
  void missThenFillThenHit(Vertx vertx, VertxTestContext testContext) {
    String key = "services.payment.database_url";
    writeElsewhere(key, "jdbc:postgresql://db/payments")
        .compose(written -> get(node, key))
        .compose(first -> {
          testContext.verify(() -> {
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.getHeader("X-Configd-Stale")).isNull();
            assertThat(first.bodyAsJsonObject().getString("value")).isEqualTo("jdbc:postgresql://db/payments");
          });
          return CacheTesting.until(vertx, 5_000, "Redis is filled", () -> stats(node),
              stats -> counter(stats, "redis", "fills") == 1);
        })
        .compose(afterMiss -> {
          testContext.verify(() -> {
            assertThat(counter(afterMiss, "near", "misses")).isEqualTo(1);
            assertThat(counter(afterMiss, "redis", "misses")).isEqualTo(1);
            assertThat(counter(afterMiss, "postgresql", "reads")).isEqualTo(1);
            assertThat(counter(afterMiss, "near", "fills")).isEqualTo(1);
          });
          String valueKey = namespace + "config:" + key + ":" + ENV;
          String versionKey = namespace + "config:version:" + key + ":" + ENV;
          return Future.all(CacheTesting.redis(redis, Command.GET, valueKey), CacheTesting.redis(redis, Command.GET, versionKey),
              CacheTesting.redis(redis, Command.TTL, valueKey), CacheTesting.redis(redis, Command.TTL, versionKey));
        })
        .compose(inRedis -> {
          testContext.verify(() -> {
            JsonObject entry = new JsonObject(inRedis.resultAt(0).toString());
            assertThat(entry.getString("value")).isEqualTo("jdbc:postgresql://db/payments");
            assertThat(entry.getInteger("version")).isEqualTo(1);
            assertThat(inRedis.resultAt(1).toString()).isEqualTo("1");
            assertThat(inRedis.<io.vertx.redis.client.Response>resultAt(2).toLong()).isBetween(3_500L, 3_600L);
            assertThat(inRedis.<io.vertx.redis.client.Response>resultAt(3).toLong()).isBetween(3_500L, 3_600L);
          });
          return get(node, key);
        })
        .compose(second -> {
          testContext.verify(() -> assertThat(second.bodyAsJsonObject().getInteger("version")).isEqualTo(1));
          return stats(node);
        })
        .onComplete(testContext.succeeding(afterHit -> testContext.verify(() -> {
          assertThat(counter(afterHit, "near", "hits")).isEqualTo(1);
          assertThat(counter(afterHit, "postgresql", "reads")).isEqualTo(1);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a key that does not exist answers 404 problem+json and leaves nothing in the caches")
  void absentKey(VertxTestContext testContext) {
    get(node, "no.such.key")
        .compose(response -> {
          testContext.verify(() -> {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
          });
          return stats(node);
        })
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(counter(stats, "postgresql", "notFound")).isEqualTo(1);
          assertThat(counter(stats, "near", "fills")).isZero();
          assertThat(counter(stats, "near", "size")).isZero();
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a GET right after each PUT's 200 returns that version, while other readers keep the key busy")
  void readYourWrites(Vertx vertx, VertxTestContext testContext) {
    String key = "feature.checkout.enabled";
    boolean[] writing = {true};
    Future<Void> readers = Future.all(busyReader(key, writing), busyReader(key, writing)).mapEmpty();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 1; i <= 30; i++) {
      int expected = i;
      chain = chain.compose(v -> put(node, key, "value-" + expected))
          .compose(written -> {
            testContext.verify(() -> assertThat(written.bodyAsJsonObject().getInteger("version")).isEqualTo(expected));
            return get(node, key);
          })
          .map(read -> {
            testContext.verify(() -> {
              assertThat(read.bodyAsJsonObject().getInteger("version")).isGreaterThanOrEqualTo(expected);
              assertThat(read.bodyAsJsonObject().getString("value")).isEqualTo("value-" + expected);
            });
            return null;
          });
    }
    chain.onComplete(done -> writing[0] = false)
        .compose(done -> readers)
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<Void> busyReader(String key, boolean[] writing) {
    if (!writing[0]) {
      return Future.succeededFuture();
    }
    return get(node, key).compose(response -> busyReader(key, writing));
  }

  @Test
  @DisplayName("a deleted key answers 404 from the cache at once")
  void deletedKey(VertxTestContext testContext) {
    String key = "services.legacy.url";
    put(node, key, "http://legacy")
        .compose(written -> get(node, key))
        .compose(read -> {
          testContext.verify(() -> assertThat(read.statusCode()).isEqualTo(200));
          return CacheTesting.delete(node, key);
        })
        .compose(deleted -> get(node, key))
        .onComplete(testContext.succeeding(read -> testContext.verify(() -> {
          assertThat(read.statusCode()).isEqualTo(404);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("the listing is read through the cache verticle and warms the near cache for the keys it returns")
  void listingWarmsNearCache(Vertx vertx, VertxTestContext testContext) {
    writeElsewhere("shop.cart.limit", 10)
        .compose(v -> writeElsewhere("shop.cart.currency", "EUR"))
        // a change the stream brings during the listing rightly keeps it from warming: let both arrive first
        .compose(v -> CacheTesting.until(vertx, 10_000, "the change stream brought both writes",
            () -> node.http().get("/v1/stats/propagation").send().map(HttpResponse::bodyAsJsonObject),
            stats -> stats.getLong("published") >= 2))
        .compose(v -> node.http().get("/v1/config").addQueryParam("env", ENV).addQueryParam("prefix", "shop").send())
        .compose(listing -> {
          testContext.verify(() -> {
            assertThat(listing.statusCode()).isEqualTo(200);
            assertThat(listing.bodyAsJsonObject().getJsonArray("items")).hasSize(2);
          });
          return get(node, "shop.cart.limit");
        })
        .compose(read -> {
          testContext.verify(() -> assertThat(read.bodyAsJsonObject().getInteger("value")).isEqualTo(10));
          return stats(node);
        })
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(counter(stats, "near", "hits")).isEqualTo(1);
          assertThat(counter(stats, "postgresql", "reads")).isZero();
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("GET /v1/stats/cache reports counters per tier, the breaker state and Redis's eviction policy")
  void statsEndpoint(VertxTestContext testContext) {
    node.http().get("/v1/stats/cache").send().onComplete(testContext.succeeding(response -> testContext.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject stats = response.bodyAsJsonObject();
      assertThat(stats.fieldNames()).contains("near", "redis", "postgresql", "fallbacks");
      assertThat(stats.getJsonObject("redis").getJsonObject("breaker").getString("state")).isEqualTo("CLOSED");
      assertThat(stats.getJsonObject("redis").getBoolean("subscribed")).isTrue();
      assertThat(stats.getJsonObject("postgresql").getBoolean("up")).isTrue();
      assertThat(stats.getJsonObject("fallbacks").fieldNames())
          .contains("redisToPostgresql", "staleServed", "unavailable");
      testContext.completeNow();
    })));
  }
}
