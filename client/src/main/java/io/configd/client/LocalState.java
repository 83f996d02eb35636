package io.configd.client;

import io.configd.model.ConfigValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values the client holds and how far it knows them. Written only on the client's context; read
 * from any thread. Each environment's values are one immutable map, replaced whole: a set of changes applied together
 * (a transaction) becomes visible to readers at one instant, never some of its keys before the others.
 *
 * <p>A change is applied only when it is newer than both the key's high-water revision and the complete mark of
 * every watch covering it: the complete mark is a revision up to which the watch is known complete (from a snapshot
 * or catch-up response), so anything at or below it is already reflected, deletions included. The watermark, where a
 * watch resumes, also moves with live changes, never past the {@code resumeAfter} their frames carry while the node
 * has given up a revision that has not come yet; a change released late (a node gave up waiting for it and released
 * later ones first) is below the newest revision seen but above the complete mark, and is applied when newer for its
 * key.
 */
final class LocalState {

  private final List<Watch> watches;
  private final Map<String, Map<String, ConfigValue>> values = new ConcurrentHashMap<>();
  private final Map<String, Long> revisions = new HashMap<>();
  private final Map<Watch, Long> watermarks = new ConcurrentHashMap<>();
  private final Map<Watch, Long> complete = new ConcurrentHashMap<>();
  /** The database's epoch the values come from; 0 until a node or the snapshot file said. */
  private volatile long epoch;

  LocalState(List<Watch> watches) {
    this.watches = watches;
    watches.forEach(watch -> values.computeIfAbsent(watch.env(), env -> Map.of()));
  }

  /** Applies the change unless it is outside every watch, a duplicate or older than what is held; true when applied. */
  boolean apply(ConfigValue change) {
    return !apply(List.of(change)).isEmpty();
  }

  /**
   * Applies the changes together (readers see all of them or none), each unless it is outside every watch, a
   * duplicate or older than what is held; returns those applied, in order.
   */
  List<ConfigValue> apply(List<ConfigValue> changes) {
    List<ConfigValue> applied = new ArrayList<>();
    Map<String, Map<String, ConfigValue>> next = new HashMap<>();
    for (ConfigValue change : changes) {
      long floor = -1;
      boolean covered = false;
      for (Watch watch : watches) {
        if (watch.covers(change)) {
          covered = true;
          floor = Math.max(floor, complete.getOrDefault(watch, -1L));
        }
      }
      String id = change.env() + '\0' + change.key();
      if (!covered || change.revision() <= floor || change.revision() <= revisions.getOrDefault(id, -1L)) {
        continue;
      }
      revisions.put(id, change.revision());
      Map<String, ConfigValue> env = next.computeIfAbsent(change.env(), name -> new HashMap<>(values.get(name)));
      if (change.deleted()) {
        env.remove(change.key());
      } else {
        env.put(change.key(), change);
      }
      applied.add(change);
    }
    next.forEach((env, held) -> values.put(env, Collections.unmodifiableMap(held)));
    return applied;
  }

  /** Restores values saved in the snapshot file, without the checks (the file's watermarks come with it). */
  void restore(List<ConfigValue> saved) {
    Map<String, Map<String, ConfigValue>> next = new HashMap<>();
    for (ConfigValue change : saved) {
      revisions.put(change.env() + '\0' + change.key(), change.revision());
      next.computeIfAbsent(change.env(), name -> new HashMap<>(values.get(name))).put(change.key(), change);
    }
    next.forEach((env, held) -> values.put(env, Collections.unmodifiableMap(held)));
  }

  /** Records that the watch holds every change up to {@code revision}; a watermark never goes back. */
  void advance(Watch watch, long revision) {
    watermarks.merge(watch, revision, Math::max);
    complete.merge(watch, revision, Math::max);
  }

  /**
   * A live change on a connection that is in step: every earlier change of each watch covering it has reached the
   * client (a node releases changes in revision order), so its revision is their watermark now; unless the node says
   * a revision it gave up has not come yet: then up to {@code resumeAfter} only (Long.MAX_VALUE: no such revision).
   */
  void advanceLive(ConfigValue change, long resumeAfter) {
    long mark = Math.min(change.revision(), resumeAfter);
    for (Watch watch : watches) {
      if (watch.covers(change) && watermarks.containsKey(watch)) {
        watermarks.merge(watch, mark, Math::max);
      }
    }
  }

  long epoch() {
    return epoch;
  }

  void epoch(long epoch) {
    this.epoch = epoch;
  }

  /**
   * Replaces what every watch holds with a fresh snapshot (of a new epoch, or after retention pruned the changes the
   * client needed): a key it does not hold is gone, watermarks are the snapshot's, even lower ones. Returns what
   * listeners hear: each value that is new or changed, and a deletion for each key that no longer exists.
   */
  List<ConfigValue> replace(long newEpoch, List<ConfigValue> fresh, Map<Watch, Long> marks) {
    Map<String, ConfigValue> before = new HashMap<>();
    values.forEach((env, held) -> held.forEach((key, value) -> before.put(env + '\0' + key, value)));
    List<ConfigValue> heard = new ArrayList<>();
    revisions.clear();
    Map<String, ConfigValue> after = new HashMap<>();
    Map<String, Map<String, ConfigValue>> next = new HashMap<>();
    values.keySet().forEach(env -> next.put(env, new HashMap<>()));
    for (ConfigValue value : fresh) {
      String id = value.env() + '\0' + value.key();
      after.put(id, value);
      revisions.put(id, value.revision());
      next.get(value.env()).put(value.key(), value);
      ConfigValue old = before.get(id);
      if (old == null || old.version() != value.version() || old.revision() != value.revision()) {
        heard.add(value);
      }
    }
    before.forEach((id, old) -> {
      if (!after.containsKey(id)) {
        long revision = marks.entrySet().stream().filter(mark -> mark.getKey().covers(old))
            .mapToLong(Map.Entry::getValue).max().orElse(old.revision());
        heard.add(new ConfigValue(old.key(), old.env(), null, old.version(), revision, true, old.critical(), null,
            Instant.now(), null));
      }
    });
    next.forEach((env, held) -> values.put(env, Collections.unmodifiableMap(held)));
    watermarks.clear();
    watermarks.putAll(marks);
    complete.clear();
    complete.putAll(marks);
    epoch = newEpoch;
    return heard;
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
