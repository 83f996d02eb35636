package io.configd.cache;

import static io.configd.cache.CacheTesting.ENV;
import static io.configd.cache.CacheTesting.counter;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.store.ConfigStore;
import io.configd.model.ConfigValue;
import io.configd.store.Migrations;
import io.configd.store.PgSettings;
import io.configd.store.Precondition;
import io.configd.store.Write;
import io.configd.store.WritePipeline;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The race of the issue, made to happen every time: a miss reads version 3 from PostgreSQL and is held there
 * (FillHook) while version 4 commits and is invalidated; then the read is let go and tries to fill with 3.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("The stale-fill race")
class StaleFillRaceTest {

  private static final String KEY = "services.payment.database_url";

  private final Promise<Context> reached = Promise.promise();
  private final Promise<Void> release = Promise.promise();
  private JsonObject config;
  private Pool pool;
  private ConfigStore store;
  private WritePipeline writes;
  private Redis redis;
  private RedisTier otherNode;
  private String namespace;

  /** Holds the first PostgreSQL read of version 3 of KEY until the test lets it go. */
  private final FillHook holdVersion3 = loaded -> {
    if (loaded != null && loaded.key().equals(KEY) && loaded.version() == 3 && !reached.future().isComplete()) {
      reached.complete(Vertx.currentContext());
      return release.future();
    }
    return Future.succeededFuture();
  };

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    config = CacheTesting.isolatedConfig("StaleFillRaceTest");
    namespace = config.getJsonObject("redis").getString("namespace");
    redis = Redis.createClient(vertx, config.getJsonObject("redis").getString("uri"));
    // what another node's CacheVerticle does to Redis when it takes a write
    otherNode = new RedisTier(vertx, CacheSettings.from(config), new CacheStats(), (from, to) -> { });
    PgSettings pg = PgSettings.from(config.getJsonObject("pg"));
    CacheSettings settings = CacheSettings.from(config);
    pool = pg.pool(vertx);
    store = new ConfigStore(pool);
    writes = new WritePipeline(pool, 1000, 2);
    Migrations.migrate(vertx, pg)
        .compose(migrated -> vertx.deployVerticle(new CacheVerticle(settings, pool, SharedCache.create(settings),
            holdVersion3)))
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    Future.join(pool.close(), redis.close(), otherNode.close()).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("an invalidation that reaches the node during the read keeps version 3 out of both tiers, "
      + "and readers arriving after it get version 4 at once")
  void invalidationDuringTheRead(Vertx vertx, VertxTestContext testContext) {
    writeVersions(3)
        .compose(v3 -> {
          Future<Message<CacheAnswer>> held = read(vertx);
          return reached.future()
              .compose(context -> write("v4"))
              .compose(v4 -> otherNode.invalidate(List.of(new RedisTier.Invalidation(new CacheKey(ENV, KEY), 4, true))))
              .compose(v -> CacheTesting.until(vertx, 5_000, "the pub/sub invalidation arrived", () -> stats(vertx),
                  stats -> counter(stats, "redis", "pubsubReceived") == 1))
              .compose(v -> read(vertx))
              .compose(fresh -> {
                testContext.verify(() -> {
                  assertThat(entry(fresh).version()).isEqualTo(4);
                  assertThat(fresh.body().tier().label()).isEqualTo("postgresql");
                  assertThat(held.isComplete()).as("the held read is still held").isFalse();
                });
                reached.future().result().runOnContext(go -> release.complete());
                return held;
              });
        })
        .compose(late -> {
          // the held read began before version 4 was acknowledged: answering 3 to it is allowed, caching 3 is not
          testContext.verify(() -> assertThat(entry(late).version()).isEqualTo(3));
          return CacheTesting.until(vertx, 5_000, "Redis holds version 4", this::inRedis,
              entry -> entry != null && entry.getInteger("version") == 4);
        })
        .compose(v -> read(vertx))
        .compose(again -> {
          testContext.verify(() -> {
            assertThat(entry(again).version()).isEqualTo(4);
            assertThat(again.body().tier().label()).isEqualTo("near");
          });
          return stats(vertx);
        })
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(counter(stats, "near", "fillsRefused")).isEqualTo(1);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("when the pub/sub message is lost, Redis still refuses the late fill of version 3, "
      + "and the change stream then brings the node to version 4")
  void invalidationLost(Vertx vertx, VertxTestContext testContext) {
    ConfigValue[] v4 = new ConfigValue[1];
    writeVersions(3)
        .compose(v3 -> {
          Future<Message<CacheAnswer>> held = read(vertx);
          return reached.future()
              .compose(context -> write("v4"))
              .compose(written -> {
                v4[0] = written;
                // nothing reaches this node
                return otherNode.invalidate(List.of(new RedisTier.Invalidation(new CacheKey(ENV, KEY), 4, false)));
              })
              .compose(v -> {
                reached.future().result().runOnContext(go -> release.complete());
                return held;
              });
        })
        .compose(late -> {
          testContext.verify(() -> assertThat(entry(late).version()).isEqualTo(3));
          return CacheTesting.until(vertx, 5_000, "Redis refused the fill", () -> stats(vertx),
              stats -> counter(stats, "redis", "fillsRefused") == 1);
        })
        .compose(v -> Future.all(inRedis(), CacheTesting.redis(redis, Command.GET, versionKey())))
        .compose(redisState -> {
          testContext.verify(() -> {
            assertThat((Object) redisState.resultAt(0)).as("no entry put back in Redis").isNull();
            assertThat(redisState.resultAt(1).toString()).isEqualTo("4");
          });
          vertx.eventBus().publish(Addresses.CACHE_INVALIDATE, v4[0].toChangeJson());
          return CacheTesting.until(vertx, 5_000, "the node answers version 4", () -> read(vertx),
              answer -> entry(answer).version() == 4);
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("Redis never replaces a newer version with an older one, whatever order the fills come in")
  void redisFillsAreVersionChecked(Vertx vertx, VertxTestContext testContext) {
    writeVersions(4)
        .compose(v4 -> store.version(ENV, ConfigKey.parse(KEY), 3).map(v3 -> new ConfigValue[] {v3.orElseThrow(), v4}))
        .compose(both -> otherNode.fill(both[1]).compose(stored4 -> otherNode.fill(both[0]).map(stored3 -> {
          testContext.verify(() -> {
            assertThat(stored4).isTrue();
            assertThat(stored3).isFalse();
          });
          return null;
        })))
        .compose(v -> inRedis())
        .onComplete(testContext.succeeding(entry -> testContext.verify(() -> {
          assertThat(entry.getInteger("version")).isEqualTo(4);
          assertThat(entry.getString("value")).isEqualTo("v4");
          testContext.completeNow();
        })));
  }

  private Future<ConfigValue> writeVersions(int count) {
    Future<ConfigValue> chain = Future.succeededFuture();
    for (int i = 1; i <= count; i++) {
      String value = "v" + i;
      chain = chain.compose(previous -> write(value));
    }
    return chain;
  }

  private Future<ConfigValue> write(String value) {
    return writes.write(new Write(ENV, ConfigKey.parse(KEY), Json.encode(value), false, null, null, "test",
        Precondition.NONE));
  }

  private static Future<Message<CacheAnswer>> read(Vertx vertx) {
    return vertx.eventBus().request(Addresses.CACHE_GET, new CacheRead(ENV, ConfigKey.parse(KEY)));
  }

  private static Future<JsonObject> stats(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(Addresses.CACHE_STATS, new JsonObject()).map(Message::body);
  }

  private static ConfigValue entry(Message<CacheAnswer> answer) {
    return answer.body().entry().value();
  }

  private Future<JsonObject> inRedis() {
    return CacheTesting.redis(redis, Command.GET, namespace + "config:" + KEY + ":" + ENV)
        .map(response -> response == null ? null : new JsonObject(response.toString()));
  }

  private String versionKey() {
    return namespace + "config:version:" + KEY + ":" + ENV;
  }
}
