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

/**
 * With no near cache every read goes through the cache verticle to Redis: read-your-writes then rests on the version
 * the write left known on this node until Redis took its invalidation, and on no read of an older version being joined.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("Read-your-writes without a near cache")
class ReadYourWritesThroughRedisTest {

  private static final String KEY = "feature.search.enabled";

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = CacheTesting.isolatedConfig("ReadYourWritesThroughRedisTest");
    config.put("cache", new JsonObject().put("nearMaxEntries", 0));
    TestNode.start(vertx, config).onComplete(testContext.succeeding(started -> {
      node = started;
      testContext.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    node.stop().onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("a GET right after each PUT's 200 returns that version, while other readers keep refilling Redis with "
      + "the one before")
  void readYourWritesThroughRedis(Vertx vertx, VertxTestContext testContext) {
    boolean[] writing = {true};
    Future<Void> readers = Future.all(busyReader(writing), busyReader(writing), busyReader(writing)).mapEmpty();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 1; i <= 40; i++) {
      int expected = i;
      chain = chain.compose(v -> put(node, KEY, "value-" + expected))
          .compose(written -> {
            testContext.verify(() -> assertThat(written.bodyAsJsonObject().getInteger("version")).isEqualTo(expected));
            return get(node, KEY);
          })
          .map(read -> {
            testContext.verify(() -> {
              assertThat(read.statusCode()).isEqualTo(200);
              assertThat(read.bodyAsJsonObject().getInteger("version")).isGreaterThanOrEqualTo(expected);
            });
            return null;
          });
    }
    chain.onComplete(done -> writing[0] = false)
        .compose(done -> readers)
        .compose(done -> stats(node))
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(counter(stats, "near", "hits")).isZero(); // every read went through Redis or PostgreSQL
          assertThat(counter(stats, "redis", "hits")).isPositive();
          testContext.completeNow();
        })));
  }

  private Future<Void> busyReader(boolean[] writing) {
    if (!writing[0]) {
      return Future.succeededFuture();
    }
    return get(node, KEY).compose(response -> busyReader(writing));
  }
}
