package io.configd.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cache's Lua scripts against a Redis of the test's own, which it makes forget them (SCRIPT FLUSH, as a restart
 * or a failover would): the shared Redis's scripts are other processes' too.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("Lua scripts by SHA-1")
class LuaScriptsBySha1Test {

  private static final Pattern CALLS = Pattern.compile("calls=(\\d+)");

  private OwnRedis own;
  private RedisTier tier;
  private Redis redis;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    own = new OwnRedis().start();
    JsonObject config = CacheTesting.isolatedConfig("LuaScriptsBySha1Test");
    // each call is awaited and must not fail: a loaded machine's stalled event loop must not time one out (1 s default)
    config.getJsonObject("redis").put("uri", own.uri()).put("invalidationTimeoutMs", 10_000);
    tier = new RedisTier(vertx, CacheSettings.from(config), new CacheStats(), (from, to) -> { });
    redis = Redis.createClient(vertx, own.uri());
  }

  @AfterEach
  void stop() throws Exception {
    if (tier != null) {
      Future.join(tier.close(), redis.close()).await();
    }
    own.close();
  }

  @Test
  @DisplayName("invalidations and fills run their scripts by SHA-1, and still land once Redis forgot the scripts "
      + "(SCRIPT FLUSH), a whole round of them")
  void bySha1AndAfterScriptFlush() {
    CacheKey a = new CacheKey(CacheTesting.ENV, "scripts.a");
    CacheKey b = new CacheKey(CacheTesting.ENV, "scripts.b");
    assertThat(tier.fill(value(a, 1)).await()).as("a fresh Redis holds no script: the first fill loads it").isTrue();
    tier.invalidate(List.of(new RedisTier.Invalidation(a, 2, false))).await();

    long evalsBefore = calls("eval");
    long shasBefore = calls("evalsha");
    assertThat(tier.fill(value(b, 1)).await()).isTrue();
    tier.invalidate(List.of(new RedisTier.Invalidation(a, 3, false), new RedisTier.Invalidation(b, 2, true))).await();
    assertThat(calls("evalsha") - shasBefore).as("the fill and the round's two scripts, by SHA-1").isEqualTo(3);
    assertThat(calls("eval") - evalsBefore).as("no script text sent once Redis holds them").isZero();
    assertThat(get(tier.versionKey(a))).isEqualTo("3");
    assertThat(get(tier.valueKey(b))).as("version 1 dropped by the invalidation to 2").isNull();

    CacheTesting.redis(redis, Command.SCRIPT, "FLUSH").await();
    tier.invalidate(List.of(new RedisTier.Invalidation(a, 4, false), new RedisTier.Invalidation(b, 3, false))).await();
    assertThat(get(tier.versionKey(a))).as("the round after SCRIPT FLUSH landed").isEqualTo("4");
    assertThat(get(tier.versionKey(b))).isEqualTo("3");

    CacheTesting.redis(redis, Command.SCRIPT, "FLUSH").await();
    assertThat(tier.fill(value(b, 3)).await()).as("a fill after SCRIPT FLUSH lands").isTrue();
    assertThat(get(tier.valueKey(b))).contains("\"version\":3");
    assertThat(tier.fill(value(b, 2)).await()).as("and the script still refuses an older version").isFalse();
  }

  /** How many times Redis ran the command (INFO commandstats). */
  private long calls(String command) {
    Response info = CacheTesting.redis(redis, Command.INFO, "commandstats").await();
    for (String line : info.toString().split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        Matcher calls = CALLS.matcher(line);
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
      }
    }
    return 0;
  }

  private String get(String redisKey) {
    Response value = CacheTesting.redis(redis, Command.GET, redisKey).await();
    return value == null ? null : value.toString();
  }

  private static ConfigValue value(CacheKey key, int version) {
    return new ConfigValue(key.key(), key.env(), "v" + version, version, version, false, false, null, Instant.EPOCH,
        "test");
  }
}
