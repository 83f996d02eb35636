package io.configd.cache;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.configd.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("Redis's eviction policy")
class RedisPolicyTest {

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger cacheLog = (Logger) LoggerFactory.getLogger(CacheVerticle.class);
  private OwnRedis redis;

  @BeforeEach
  void listen() {
    logged.start();
    cacheLog.addAppender(logged);
  }

  @AfterEach
  void stopListening() throws Exception {
    cacheLog.detachAppender(logged);
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @DisplayName("a Redis that runs noeviction gets a warning at start-up and keeps its policy")
  void warnsAndLeavesItAlone(Vertx vertx, VertxTestContext testContext) throws Exception {
    redis = new OwnRedis("--maxmemory-policy", "noeviction").start();
    startAndReadPolicy(vertx)
        .compose(policy -> {
          testContext.verify(() -> {
            assertThat(policy).isEqualTo("noeviction");
            assertThat(warnings()).anyMatch(message -> message.contains("maxmemory-policy 'noeviction'")
                && message.contains("allkeys-lru"));
          });
          Redis client = Redis.createClient(vertx, redis.uri());
          return CacheTesting.redis(client, Command.CONFIG, "GET", "maxmemory-policy").eventually(client::close);
        })
        .onComplete(testContext.succeeding(config -> testContext.verify(() -> {
          String value = config.isMap() ? config.get("maxmemory-policy").toString() : config.get(1).toString();
          assertThat(value).as("configd never changes the server's policy").isEqualTo("noeviction");
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a Redis that runs allkeys-lru gets no warning")
  void quietUnderAllkeysLru(Vertx vertx, VertxTestContext testContext) throws Exception {
    redis = new OwnRedis("--maxmemory-policy", "allkeys-lru").start();
    startAndReadPolicy(vertx).onComplete(testContext.succeeding(policy -> testContext.verify(() -> {
      assertThat(policy).isEqualTo("allkeys-lru");
      assertThat(warnings()).noneMatch(message -> message.contains("maxmemory-policy"));
      testContext.completeNow();
    })));
  }

  /** Starts a node on the test's Redis and waits until it has read the policy (the check does not hold up start-up). */
  private Future<String> startAndReadPolicy(Vertx vertx) {
    JsonObject config = CacheTesting.isolatedConfig("RedisPolicyTest");
    config.getJsonObject("redis").put("uri", redis.uri());
    return TestNode.start(vertx, config).compose(node -> CacheTesting.until(vertx, 5_000, "the policy was read",
            () -> CacheTesting.stats(node), stats -> !stats.getJsonObject("redis").getString("maxmemoryPolicy").equals("unknown"))
        .map(stats -> stats.getJsonObject("redis").getString("maxmemoryPolicy"))
        .eventually(node::stop));
  }

  private List<String> warnings() {
    synchronized (logged) {
      return logged.list.stream().filter(event -> event.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
