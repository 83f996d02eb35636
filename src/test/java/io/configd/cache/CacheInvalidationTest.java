package io.configd.cache;

import static io.configd.cache.CacheTesting.ENV;
import static io.configd.cache.CacheTesting.counter;
import static io.configd.cache.CacheTesting.get;
import static io.configd.cache.CacheTesting.put;
import static io.configd.cache.CacheTesting.stats;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestServices;
import io.configd.TestNode;
import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.store.PgSettings;
import io.configd.store.Precondition;
import io.configd.store.Write;
import io.configd.store.WritePipeline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes of one deployment (same schema, same Redis namespace), each in its own Vert.x as in production. The test
 * holds the relay's leadership lock, so no change reaches Kafka: a node learns of a write only through what the test
 * examines (Redis pub/sub, or a change-stream message the test sends), never through the change stream racing it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("Invalidation across nodes")
class CacheInvalidationTest {

  private Vertx otherVertx;
  private TestNode a;
  private TestNode b;
  private Pool pool;
  private PgConnection relayLock;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    JsonObject configA = CacheTesting.isolatedConfig("CacheInvalidationTest");
    JsonObject configB = TestServices.anotherNode(configA, "test-cache-b");
    PgSettings pg = PgSettings.from(configA.getJsonObject("pg"));
    otherVertx = Vertx.vertx();
    // taken before the nodes start, so that neither becomes the relay
    PgConnection.connect(vertx, pg.connectOptions())
        .compose(connection -> {
          relayLock = connection;
          return connection.preparedQuery("select pg_try_advisory_lock(hashtextextended($1 || '.configd-publisher', 0))")
              .execute(Tuple.of(pg.schema()));
        })
        .compose(locked -> {
          testContext.verify(() -> assertThat(locked.iterator().next().getBoolean(0))
              .as("the publisher's lock, taken by the test").isTrue());
          return TestNode.start(vertx, configA);
        })
        .compose(started -> {
          a = started;
          return TestNode.start(otherVertx, configB);
        })
        .onComplete(testContext.succeeding(started -> {
          b = started;
          pool = pg.pool(vertx);
          testContext.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    // what a start cut short (a timeout) did not make yet is skipped; the lock goes whatever else happened
    Future.join(a == null ? Future.succeededFuture() : a.stop(), b == null ? Future.succeededFuture() : b.stop(),
            pool == null ? Future.succeededFuture() : pool.close())
        .eventually(() -> relayLock == null ? Future.succeededFuture() : relayLock.close())
        .eventually(() -> otherVertx.close())
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("a write on one node drops the entry from the other node's near cache through Redis pub/sub")
  void pubSubInvalidation(Vertx vertx, VertxTestContext testContext) {
    String key = "services.search.timeout_ms";
    put(a, key, 100)
        .compose(v -> get(b, key))
        .compose(v -> get(b, key))
        .compose(cached -> {
          testContext.verify(() -> assertThat(cached.bodyAsJsonObject().getInteger("value")).isEqualTo(100));
          return stats(b);
        })
        .compose(before -> {
          testContext.verify(() -> assertThat(counter(before, "near", "hits")).isEqualTo(1));
          return put(a, key, 250);
        })
        // b's near cache would answer 100 for 300 s unless the invalidation reaches it
        .compose(written -> CacheTesting.until(vertx, 5_000, "node b answers the new version", () -> get(b, key),
            read -> read.bodyAsJsonObject().getInteger("version") == 2))
        .compose(read -> {
          testContext.verify(() -> assertThat(read.bodyAsJsonObject().getInteger("value")).isEqualTo(250));
          return stats(b);
        })
        .onComplete(testContext.succeeding(after -> testContext.verify(() -> {
          assertThat(counter(after, "redis", "pubsubReceived")).isGreaterThanOrEqualTo(1);
          assertThat(counter(after, "near", "invalidations")).isEqualTo(1);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("what one node filled into Redis, the other node reads from Redis without asking PostgreSQL")
  void sharedRedis(Vertx vertx, VertxTestContext testContext) {
    String key = "services.search.replicas";
    new WritePipeline(pool, 1000, 2).write(new Write(ENV, ConfigKey.parse(key), "3", false, null, null, "test", Precondition.NONE))
        .compose(v -> get(a, key)) // a: near miss, Redis miss, PostgreSQL, fill
        .compose(v -> CacheTesting.until(vertx, 5_000, "node a filled Redis", () -> stats(a),
            stats -> counter(stats, "redis", "fills") == 1))
        .compose(v -> get(b, key))
        .compose(read -> {
          testContext.verify(() -> assertThat(read.bodyAsJsonObject().getInteger("value")).isEqualTo(3));
          return stats(b);
        })
        .onComplete(testContext.succeeding(statsB -> testContext.verify(() -> {
          assertThat(counter(statsB, "redis", "hits")).isEqualTo(1);
          assertThat(counter(statsB, "postgresql", "reads")).isZero();
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a change from the change stream drops an outdated entry even when no pub/sub message came")
  void changeStreamInvalidation(Vertx vertx, VertxTestContext testContext) {
    String key = "services.mail.sender";
    WritePipeline store = new WritePipeline(pool, 1000, 2);
    put(a, key, "a@example.com")
        .compose(v -> get(b, key))
        // a write the caches hear nothing about, as when the pub/sub message is lost (and the relay is held)
        .compose(v -> store.write(new Write(ENV, ConfigKey.parse(key), Json.encode("b@example.com"), false, null, null,
            "test", Precondition.NONE)))
        .compose(written -> get(b, key).map(stale -> {
          testContext.verify(() -> assertThat(stale.bodyAsJsonObject().getInteger("version")).isEqualTo(1));
          return written;
        }))
        .compose(written -> {
          otherVertx.eventBus().publish(Addresses.CACHE_INVALIDATE, written.toChangeJson());
          return CacheTesting.until(vertx, 5_000, "node b answers version 2", () -> get(b, key),
              read -> read.bodyAsJsonObject().getInteger("version") == 2);
        })
        .onComplete(testContext.succeeding(read -> testContext.verify(() -> {
          assertThat(read.bodyAsJsonObject().getString("value")).isEqualTo("b@example.com");
          testContext.completeNow();
        })));
  }
}
