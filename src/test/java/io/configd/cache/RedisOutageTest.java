package io.configd.cache;

import static io.configd.cache.CacheTesting.counter;
import static io.configd.cache.CacheTesting.get;
import static io.configd.cache.CacheTesting.put;
import static io.configd.cache.CacheTesting.stats;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A node on a Redis of the test's own, which the test kills or freezes mid-test. The near cache is off so that every read asks Redis. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
@DisplayName("Redis down or slow")
class RedisOutageTest {

  private static final Logger LOG = LoggerFactory.getLogger(RedisOutageTest.class);
  private static final String KEY = "services.payment.timeout_ms";
  private static final int BREAKER_FAILURES = 5;
  private static final int READS = 20;

  private OwnRedis redis;
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) throws Exception {
    redis = new OwnRedis().start();
    JsonObject config = CacheTesting.isolatedConfig("RedisOutageTest");
    config.getJsonObject("redis").put("uri", redis.uri()).put("breakerFailures", BREAKER_FAILURES)
        .put("breakerResetMs", 500).put("resubscribeMs", 200);
    config.put("cache", new JsonObject().put("nearMaxEntries", 0));
    TestNode.start(vertx, config)
        .compose(started -> {
          node = started;
          return put(node, KEY, 1500);
        })
        .compose(written -> get(node, KEY)) // Redis miss, PostgreSQL, fill
        .compose(read -> CacheTesting.until(vertx, 5_000, "Redis is filled", () -> stats(node),
            stats -> counter(stats, "redis", "fills") == 1))
        .compose(filled -> get(node, KEY))
        .compose(read -> stats(node))
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(counter(stats, "redis", "hits")).isEqualTo(1);
          testContext.completeNow();
        })));
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    node.stop().eventually(() -> {
      try {
        redis.close();
        return Future.succeededFuture();
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("with Redis killed reads keep answering from PostgreSQL without touching Redis once the breaker is open, "
      + "and use Redis again once it is back on the same port")
  void redisKilledAndRestarted(Vertx vertx, VertxTestContext testContext) throws Exception {
    redis.kill();
    JsonObject[] before = new JsonObject[1];
    long[] started = new long[1];
    CacheTesting.until(vertx, 10_000, "the breaker opens", () -> readOk(testContext).compose(v -> stats(node)),
            stats -> breakerState(stats).equals("OPEN"))
        .compose(open -> {
          before[0] = open;
          started[0] = System.nanoTime();
          return reads(testContext, READS);
        })
        .compose(v -> {
          LOG.info("{} reads with Redis dead and the breaker open took {} ms in all", READS,
              (System.nanoTime() - started[0]) / 1_000_000);
          return stats(node);
        })
        .compose(after -> {
          testContext.verify(() -> {
            long errors = counter(after, "redis", "errors") - counter(before[0], "redis", "errors");
            long probes = after.getJsonObject("redis").getJsonObject("breaker").getLong("timesOpened")
                - before[0].getJsonObject("redis").getJsonObject("breaker").getLong("timesOpened");
            assertThat(errors).as("only half-open probes touched the dead Redis").isEqualTo(probes);
            assertThat(counter(after, "redis", "skipped") - counter(before[0], "redis", "skipped"))
                .isGreaterThanOrEqualTo(READS - probes);
            assertThat(counter(after, "fallbacks", "redisToPostgresql") - counter(before[0], "fallbacks", "redisToPostgresql"))
                .isEqualTo(READS);
          });
          return restart();
        })
        .compose(v -> CacheTesting.until(vertx, 15_000, "reads are served by Redis again",
            () -> readOk(testContext).compose(r -> stats(node)),
            stats -> counter(stats, "redis", "hits") > counter(before[0], "redis", "hits")))
        .compose(v -> CacheTesting.until(vertx, 10_000, "the pub/sub subscription is back", () -> stats(node),
            stats -> stats.getJsonObject("redis").getBoolean("subscribed")))
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(breakerState(stats)).isEqualTo("CLOSED");
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a Redis that stops answering costs a read one short timeout until the breaker opens, and nothing after")
  void redisFrozen(Vertx vertx, VertxTestContext testContext) throws Exception {
    redis.pause();
    long[] slowest = new long[1];
    JsonObject[] open = new JsonObject[1];
    CacheTesting.until(vertx, 10_000, "the breaker opens", () -> {
          long start = System.nanoTime();
          return readOk(testContext).compose(v -> {
            slowest[0] = Math.max(slowest[0], (System.nanoTime() - start) / 1_000_000);
            return stats(node);
          });
        }, stats -> breakerState(stats).equals("OPEN"))
        .compose(stats -> {
          open[0] = stats;
          LOG.info("Slowest read while Redis froze, before the breaker opened: {} ms (timeout 50 ms)", slowest[0]);
          testContext.verify(() -> {
            assertThat(counter(stats, "redis", "errors")).isGreaterThanOrEqualTo(BREAKER_FAILURES);
            assertThat(slowest[0]).as("a frozen Redis must not hold a read for long").isLessThan(1_000);
          });
          try {
            redis.resume();
          } catch (Exception e) {
            return Future.failedFuture(e);
          }
          return CacheTesting.until(vertx, 15_000, "reads are served by Redis again",
              () -> readOk(testContext).compose(r -> stats(node)),
              after -> counter(after, "redis", "hits") > counter(open[0], "redis", "hits"));
        })
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(breakerState(stats)).isEqualTo("CLOSED");
          testContext.completeNow();
        })));
  }

  private Future<Void> restart() {
    try {
      redis.start();
      return Future.succeededFuture();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Void> reads(VertxTestContext testContext, int count) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      chain = chain.compose(v -> readOk(testContext));
    }
    return chain;
  }

  private Future<Void> readOk(VertxTestContext testContext) {
    return get(node, KEY).map(response -> {
      testContext.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsJsonObject().getInteger("value")).isEqualTo(1500);
      });
      return null;
    });
  }

  private static String breakerState(JsonObject stats) {
    return stats.getJsonObject("redis").getJsonObject("breaker").getString("state");
  }
}
