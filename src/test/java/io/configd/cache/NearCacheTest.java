package io.configd.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.model.ConfigValue;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The near cache")
class NearCacheTest {

  private static final CacheKey KEY = new CacheKey("production", "services.payment.database_url");
  private final NearCache near = new NearCache(100, 300);

  @Test
  @DisplayName("never replaces a newer version with an older one")
  void olderFillRefused() {
    assertThat(near.fill(KEY, version(4))).isTrue();
    assertThat(near.fill(KEY, version(3))).isFalse();
    assertThat(near.get(KEY).version()).isEqualTo(4);
  }

  @Test
  @DisplayName("keeps the version of an invalidated entry and refuses a later fill below it")
  void tombstone() {
    near.fill(KEY, version(3));
    assertThat(near.invalidate(KEY, 4)).isTrue();
    assertThat(near.get(KEY)).isNull();
    assertThat(near.highWater(KEY)).isEqualTo(4);
    assertThat(near.fill(KEY, version(3))).isFalse();
    assertThat(near.fill(KEY, version(4))).isTrue();
    assertThat(near.get(KEY).version()).isEqualTo(4);
  }

  @Test
  @DisplayName("ignores an invalidation for a version it already holds or has passed")
  void lateInvalidation() {
    near.fill(KEY, version(5));
    assertThat(near.invalidate(KEY, 4)).isFalse();
    assertThat(near.invalidate(KEY, 5)).isFalse();
    assertThat(near.get(KEY).version()).isEqualTo(5);
  }

  @Test
  @DisplayName("drops values but keeps versions when invalidations may have been missed")
  void forgetValues() {
    near.fill(KEY, version(2));
    near.forgetValues();
    assertThat(near.get(KEY)).isNull();
    assertThat(near.highWater(KEY)).isEqualTo(2);
  }

  @Test
  @DisplayName("keeps a version this node wrote known, even with no room for entries, until Redis has taken it")
  void writtenUntilRedisCaughtUp() {
    NearCache none = new NearCache(0, 300);
    none.written(KEY, version(4));
    assertThat(none.get(KEY)).isNull();
    assertThat(none.highWater(KEY)).isEqualTo(4);
    assertThat(none.fill(KEY, version(3))).isFalse();
    none.written(KEY, version(5));
    none.redisCaughtUp(KEY, 4); // the older invalidation's answer: version 5's is still under way
    assertThat(none.highWater(KEY)).isEqualTo(5);
    none.redisCaughtUp(KEY, 5);
    assertThat(none.highWater(KEY)).isZero();
    assertThat(none.fill(KEY, version(3))).isTrue();
  }

  private static CachedEntry version(int version) {
    return CachedEntry.of(new ConfigValue(KEY.key(), KEY.env(), "v" + version, version, version, false, false, null,
        Instant.EPOCH, "test"));
  }
}
