package io.configd.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.model.ConfigValue;
import io.configd.store.PgSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the cache verticle does in Redis for the writes of this node, against a real Redis. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Redis invalidations in rounds")
class InvalidationRoundsTest {

  private CacheSettings settings;
  private SharedCache cache;
  private RedisTier tier;
  private Pool pool;
  private Redis redis;
  private Invalidations invalidations;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = CacheTesting.isolatedConfig("InvalidationRoundsTest");
    config.put("cache", new JsonObject().put("nearMaxEntries", 0)); // what a write leaves known shows on its own
    // the rounds are counted: a round that timed out goes to the backlog and is sent again later, so a cold JVM's
    // stalled event loop (2.2 s once, over the 1 s default) must not time one out
    config.getJsonObject("redis").put("invalidationTimeoutMs", 5_000);
    settings = CacheSettings.from(config);
    cache = SharedCache.create(settings);
    tier = new RedisTier(vertx, settings, cache.stats(), (from, to) -> { });
    pool = PgSettings.from(config.getJsonObject("pg")).pool(vertx); // the reads' pool, not asked here
    redis = Redis.createClient(vertx, settings.redisUri());
    ReadThrough reads = new ReadThrough(vertx, settings, pool, cache, tier,
        new PostgresqlProbe(vertx, pool, settings, cache.postgresql()), FillHook.NONE);
    invalidations = new Invalidations(cache, tier, reads, settings.ttlSeconds());
    testContext.completeNow();
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    Future.join(tier.close(), redis.close(), pool.close()).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("a transaction's versions go to Redis in one round, and writes told while it is in flight go together "
      + "in the next; each version stays known on the node until its round answered")
  void writesShareRounds(Vertx vertx, VertxTestContext testContext) {
    List<ConfigValue> txn = List.of(value("rounds.a", 3), value("rounds.b", 5));
    ConfigValue c = value("rounds.c", 2);
    ConfigValue d = value("rounds.d", 7);
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      for (ConfigValue value : List.of(txn.get(0), txn.get(1), c, d)) {
        cache.near().written(new CacheKey(value.env(), value.key()), CachedEntry.of(value));
      }
      invalidations.written(txn);
      invalidations.written(List.of(c)); // the first round has not answered: both wait for it
      invalidations.written(List.of(d));
      testContext.verify(() -> assertThat(cache.near().highWater(key(d))).isEqualTo(7));
    });
    CacheTesting.until(vertx, 10_000, "Redis took the 4 invalidations", () -> Future.succeededFuture(
            cache.stats().redisInvalidations.sum()), done -> done == 4)
        .compose(done -> Future.all(List.of(txn.get(0), txn.get(1), c, d).stream()
            .map(value -> CacheTesting.redis(redis, Command.GET, tier.versionKey(key(value)))).toList()))
        .onComplete(testContext.succeeding(versions -> testContext.verify(() -> {
          assertThat(cache.stats().redisInvalidationRounds.sum()).isEqualTo(2);
          assertThat(versions.<io.vertx.redis.client.Response>list().stream().map(Object::toString).toList())
              .containsExactly("3", "5", "2", "7");
          for (ConfigValue value : List.of(txn.get(0), txn.get(1), c, d)) {
            assertThat(cache.near().highWater(key(value))).isZero(); // Redis has it: no longer held beside the slots
          }
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a key told several times while a round is in flight goes once in the next, at its newest version, "
      + "announced when any of them was; each version written stays known until that round answered")
  void aKeyToldTwiceGoesOnce(Vertx vertx, VertxTestContext testContext) {
    ConfigValue first = value("once.a", 3);
    ConfigValue b4 = value("once.b", 4);
    ConfigValue b5 = value("once.b", 5);
    List<JsonObject> announced = new CopyOnWriteArrayList<>();
    InvalidationSubscriber subscriber = new InvalidationSubscriber(vertx, settings, tier.channel(), announced::add,
        () -> { });
    Context context = vertx.getOrCreateContext();
    subscriber.start().onComplete(testContext.succeeding(subscribed -> context.runOnContext(go -> {
          for (ConfigValue value : List.of(first, b4, b5)) {
            cache.near().written(key(value), CachedEntry.of(value));
          }
          invalidations.written(List.of(first)); // in flight while the rest is told
          invalidations.written(List.of(b4));
          invalidations.written(List.of(b5));
          invalidations.changed(key(b5), 5); // the change stream brings this node's own write back
          invalidations.changed(new CacheKey(CacheTesting.ENV, "once.c"), 8); // another node's writes of once.c
          invalidations.changed(new CacheKey(CacheTesting.ENV, "once.c"), 9);
          testContext.verify(() -> assertThat(cache.near().highWater(key(b4))).isEqualTo(5));
        })));
    CacheTesting.until(vertx, 10_000, "Redis answered both rounds", () -> Future.succeededFuture(
            cache.stats().redisInvalidationRounds.sum()), done -> done == 2)
        // pub/sub keeps a channel's order: once this arrives, every announcement of the rounds has
        .compose(done -> CacheTesting.redis(redis, Command.PUBLISH, tier.channel(),
            new JsonObject().put("key", "sentinel").put("env", CacheTesting.ENV).put("version", 1).encode()))
        .compose(published -> CacheTesting.until(vertx, 10_000, "the sentinel announced",
            () -> Future.succeededFuture(announced.stream().anyMatch(m -> m.getString("key").equals("sentinel"))),
            arrived -> arrived))
        .compose(arrived -> Future.all(List.of("once.a", "once.b", "once.c").stream()
            .map(key -> CacheTesting.redis(redis, Command.GET, tier.versionKey(new CacheKey(CacheTesting.ENV, key))))
            .toList()))
        .eventually(subscriber::close)
        .onComplete(testContext.succeeding(versions -> testContext.verify(() -> {
          assertThat(cache.stats().redisInvalidations.sum()).as("once.a, then once.b and once.c once each")
              .isEqualTo(3);
          assertThat(versions.<io.vertx.redis.client.Response>list().stream().map(Object::toString).toList())
              .containsExactly("3", "5", "9");
          assertThat(announced.stream().map(m -> m.getString("key") + "@" + m.getInteger("version")).toList())
              .as("this node's writes are announced, another node's are not").containsExactly("once.a@3", "once.b@5",
                  "sentinel@1");
          assertThat(cache.near().highWater(key(b4))).as("versions 4 and 5 of once.b no longer held").isZero();
          assertThat(cache.near().highWater(key(first))).isZero();
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a version this node's round put in Redis is not sent again when the change stream brings it back; "
      + "a newer version, and another key's, still are")
  void ownVersionsComeBackWithoutAScript(Vertx vertx, VertxTestContext testContext) {
    ConfigValue x3 = value("back.x", 3);
    CacheKey y = new CacheKey(CacheTesting.ENV, "back.y");
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      cache.near().written(key(x3), CachedEntry.of(x3));
      invalidations.written(List.of(x3));
    });
    CacheTesting.until(vertx, 10_000, "Redis took this node's write", () -> Future.succeededFuture(
            cache.stats().redisInvalidationRounds.sum()), done -> done == 1)
        .compose(written -> {
          context.runOnContext(v -> {
            invalidations.changed(key(x3), 3); // the change stream brings this node's write back
            invalidations.changed(key(x3), 4); // another node wrote version 4 meanwhile
            invalidations.changed(y, 2);
          });
          // sent again, x@3 would go alone (nothing in flight), then x@4 and y@2 together: 1, 2, 4, never 3
          return CacheTesting.until(vertx, 10_000, "Redis took 3 invalidations or more", () -> Future.succeededFuture(
              cache.stats().redisInvalidations.sum()), sent -> sent >= 3);
        })
        .compose(sent -> Future.all(CacheTesting.redis(redis, Command.GET, tier.versionKey(key(x3))),
            CacheTesting.redis(redis, Command.GET, tier.versionKey(y))))
        .onComplete(testContext.succeeding(versions -> testContext.verify(() -> {
          assertThat(cache.stats().redisInvalidations.sum()).as("x@3 once, then x@4 and y@2").isEqualTo(3);
          assertThat(cache.stats().redisInvalidationsDone.sum()).isEqualTo(1);
          assertThat(versions.<io.vertx.redis.client.Response>list().stream().map(Object::toString).toList())
              .containsExactly("4", "2");
          testContext.completeNow();
        })));
  }

  private static CacheKey key(ConfigValue value) {
    return new CacheKey(value.env(), value.key());
  }

  private static ConfigValue value(String key, int version) {
    return new ConfigValue(key, CacheTesting.ENV, "v" + version, version, version, false, false, null,
        Instant.EPOCH, "test");
  }
}
