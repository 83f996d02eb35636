package io.configd.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The write stages' histogram")
class WriteStagesTest {

  @Test
  @DisplayName("a percentile is the upper bound of its bucket: at most a quarter octave above the sample, never below")
  void percentilesAreBucketBounds() {
    WriteStages stages = new WriteStages();
    for (int i = 0; i < 98; i++) {
      stages.record(WriteStages.Stage.BATCH, 3_000_000); // 3 ms
    }
    stages.record(WriteStages.Stage.BATCH, 40_000_000); // 40 ms
    stages.record(WriteStages.Stage.BATCH, 40_000_000);
    JsonObject batch = stages.toJson().getJsonObject("batch");
    assertThat(batch.getLong("samples")).isEqualTo(100);
    assertThat(batch.getDouble("p50")).isBetween(3.0, 3.0 * Math.pow(2, 0.25));
    assertThat(batch.getDouble("p99")).isBetween(40.0, 40.0 * Math.pow(2, 0.25));
    assertThat(stages.toJson().getJsonObject("guard").getLong("samples")).isZero();
    assertThat(stages.toJson().getJsonObject("guard").containsKey("p50")).isFalse();
  }

  @Test
  @DisplayName("the difference of two readings' buckets gives the figures of the window between them")
  void windows() {
    WriteStages stages = new WriteStages();
    stages.record(WriteStages.Stage.TOTAL, 100_000_000);
    long[] before = buckets(stages.toJson().getJsonObject("total"));
    stages.record(WriteStages.Stage.TOTAL, 2_000_000);
    long[] after = buckets(stages.toJson().getJsonObject("total"));
    long[] window = new long[after.length];
    for (int i = 0; i < after.length; i++) {
      window[i] = after[i] - before[i];
    }
    JsonObject figures = WriteStages.figures(window);
    assertThat(figures.getLong("samples")).isEqualTo(1);
    assertThat(figures.getDouble("p99")).isBetween(2.0, 2.0 * Math.pow(2, 0.25));
  }

  @Test
  @DisplayName("sub-microsecond and over-a-minute samples land in the first and last buckets")
  void extremes() {
    assertThat(WriteStages.bucket(0)).isZero();
    assertThat(WriteStages.bucket(500)).isZero();
    assertThat(WriteStages.bucket(Long.MAX_VALUE)).isEqualTo(26 * 4);
  }

  private static long[] buckets(JsonObject figures) {
    return figures.getJsonArray("buckets").stream().mapToLong(count -> ((Number) count).longValue()).toArray();
  }
}
