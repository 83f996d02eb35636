package io.configd.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.model.ConfigValue;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The client's local state")
class LocalStateTest {

  private static final Watch WATCH = new Watch("production", "svc");

  private static ConfigValue change(String key, int version, long revision) {
    return new ConfigValue(key, "production", "v" + version, version, revision, false, false, null, Instant.now(),
        "test", null, null);
  }

  @Test
  @DisplayName("a change released late (after later revisions moved the watermark) is applied when newer for its key, "
      + "and the watermark stays where it was")
  void lateReleaseApplied() {
    LocalState state = new LocalState(List.of(WATCH));
    state.advance(WATCH, 10); // a snapshot at revision 10
    assertThat(state.apply(change("svc.a", 1, 11))).isTrue();
    state.advanceLive(change("svc.a", 1, 11), Long.MAX_VALUE);
    assertThat(state.apply(change("svc.b", 1, 13))).isTrue();
    state.advanceLive(change("svc.b", 1, 13), Long.MAX_VALUE);

    assertThat(state.apply(change("svc.c", 1, 12))).as("revision 12, given up by the node, arrives late").isTrue();
    assertThat(state.current("production", "svc.c")).map(ConfigValue::version).contains(1);
    assertThat(state.watermark(WATCH)).contains(13L);
  }

  @Test
  @DisplayName("a late change older than what the key holds, or at or below what a snapshot or catch-up made complete, "
      + "is dropped")
  void olderDropped() {
    LocalState state = new LocalState(List.of(WATCH));
    state.advance(WATCH, 10);
    assertThat(state.apply(change("svc.a", 2, 12))).isTrue();
    state.advanceLive(change("svc.a", 2, 12), Long.MAX_VALUE);
    assertThat(state.apply(change("svc.a", 1, 11))).as("an older version of a key held newer").isFalse();
    assertThat(state.apply(change("svc.b", 1, 9))).as("below the snapshot's mark: already reflected").isFalse();
    state.advance(WATCH, 20); // a catch-up answered up to 20
    assertThat(state.apply(change("svc.d", 1, 15))).as("below the catch-up's mark").isFalse();
    assertThat(state.current("production", "svc.a")).map(ConfigValue::version).contains(2);
    assertThat(state.current("production", "svc.b")).isEmpty();
  }

  @Test
  @DisplayName("while the node says a revision it gave up has not come (resumeAfter), live changes move the watermark "
      + "up to it only, then past it once frames no longer say so")
  void resumeAfterBoundsTheWatermark() {
    LocalState state = new LocalState(List.of(WATCH));
    state.advance(WATCH, 10);
    assertThat(state.apply(change("svc.a", 1, 11))).isTrue();
    state.advanceLive(change("svc.a", 1, 11), Long.MAX_VALUE);
    assertThat(state.apply(change("svc.b", 1, 13))).isTrue();
    state.advanceLive(change("svc.b", 1, 13), 11); // revision 12 given up, not come yet
    assertThat(state.watermark(WATCH)).as("a resume gets revision 12").contains(11L);
    assertThat(state.apply(change("svc.b", 2, 14))).isTrue();
    state.advanceLive(change("svc.b", 2, 14), 11);
    assertThat(state.watermark(WATCH)).contains(11L);

    assertThat(state.apply(change("svc.c", 1, 12))).as("revision 12 comes late").isTrue();
    state.advanceLive(change("svc.c", 1, 12), Long.MAX_VALUE);
    assertThat(state.watermark(WATCH)).contains(12L);
    assertThat(state.apply(change("svc.a", 2, 15))).isTrue();
    state.advanceLive(change("svc.a", 2, 15), Long.MAX_VALUE);
    assertThat(state.watermark(WATCH)).contains(15L);
  }
}
