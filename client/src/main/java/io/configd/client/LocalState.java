package io.configd.client;

import io.configd.model.ConfigValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values the client holds and how far it knows them. Written only on the client's context; read
 * from any thread (concurrent maps).
 *
 * <p>A change is applied only when it is newer than both the key's high-water revision and the watermark of
 * every watch covering it: the watermark is a revision up to which the watch is known complete (from a snapshot
 * or catch-up response), so anything at or below it is already reflected, deletions included.
 */
final class LocalState {

  private final List<Watch> watches;
  private final Map<String, Map<String, ConfigValue>> values = new ConcurrentHashMap<>();
  private final Map<String, Long> revisions = new HashMap<>();
  private final Map<Watch, Long> watermarks = new ConcurrentHashMap<>();

  LocalState(List<Watch> watches) {
    this.watches = watches;
    watches.forEach(watch -> values.computeIfAbsent(watch.env(), env -> new ConcurrentHashMap<>()));
  }

  /** Applies the change unless it is outside every watch, a duplicate or older than what is held; true when applied. */
  boolean apply(ConfigValue change) {
    long floor = -1;
    boolean covered = false;
    for (Watch watch : watches) {
      if (watch.covers(change)) {
        covered = true;
        floor = Math.max(floor, watermarks.getOrDefault(watch, -1L));
      }
    }
    String id = change.env() + '\0' + change.key();
    if (!covered || change.revision() <= floor || change.revision() <= revisions.getOrDefault(id, -1L)) {
      return false;
    }
    revisions.put(id, change.revision());
    Map<String, ConfigValue> env = values.get(change.env());
    if (change.deleted()) {
      env.remove(change.key());
    } else {
      env.put(change.key(), change);
    }
    return true;
  }

  /** Restores a value saved in the snapshot file, without the checks (the file's watermarks come with it). */
  void restore(ConfigValue change) {
    revisions.put(change.env() + '\0' + change.key(), change.revision());
    values.get(change.env()).put(change.key(), change);
  }

  /** Records that the watch holds every change up to {@code revision}; a watermark never goes back. */
  void advance(Watch watch, long revision) {
    watermarks.merge(watch, revision, Math::max);
  }

  /**
   * A live change on a connection that is in step: every earlier change of each watch covering it has reached the
   * client (a node releases changes in revision order), so its revision is their watermark now.
   */
  void advanceLive(ConfigValue change) {
    for (Watch watch : watches) {
      if (watch.covers(change) && watermarks.containsKey(watch)) {
        watermarks.merge(watch, change.revision(), Math::max);
      }
    }
  }

  Optional<Long> watermark(Watch watch) {
    return Optional.ofNullable(watermarks.get(watch));
  }

  Optional<ConfigValue> current(String env, String key) {
    Map<String, ConfigValue> held = values.get(env);
    return held == null ? Optional.empty() : Optional.ofNullable(held.get(key));
  }

  Map<String, ConfigValue> values(String env) {
    return values.getOrDefault(env, Map.of());
  }

  List<Watch> watches() {
    return watches;
  }
}
