package io.configd.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.configd.model.ConfigValue;
import java.time.Duration;

/**
 * The per-node tier: a bounded Caffeine cache of slots. A slot holds the newest version this node knows of a key,
 * with its value when the node has it, or without it (a tombstone) after an invalidation, so that a late fill of
 * an older version can be recognised and refused.
 */
final class NearCache {

  /** {@code value} is null when the version is known but its value is not (invalidated). */
  private record Slot(int version, ConfigValue value) {
  }

  private final Cache<CacheKey, Slot> slots;

  NearCache(int maxEntries, int expireSeconds) {
    slots = maxEntries <= 0 ? null : Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfterWrite(Duration.ofSeconds(expireSeconds))
        .executor(Runnable::run) // eviction on the caller's thread: no work leaks onto the common pool
        .build();
  }

  /** The cached value, or null when this node has none (absent, evicted or invalidated). */
  ConfigValue get(CacheKey key) {
    Slot slot = slots == null ? null : slots.getIfPresent(key);
    return slot == null ? null : slot.value();
  }

  /** The newest version this node knows of the key, 0 when it knows none. */
  int highWater(CacheKey key) {
    Slot slot = slots == null ? null : slots.getIfPresent(key);
    return slot == null ? 0 : slot.version();
  }

  /** Stores a value unless a newer version is known; returns whether it was stored (or already there). */
  boolean fill(CacheKey key, ConfigValue value) {
    if (slots == null) {
      return true;
    }
    boolean[] stored = {false};
    slots.asMap().compute(key, (k, slot) -> {
      if (slot != null && slot.version() > value.version()) {
        return slot;
      }
      stored[0] = true;
      return slot != null && slot.version() == value.version() && slot.value() != null ? slot : new Slot(value.version(), value);
    });
    return stored[0];
  }

  /**
   * Version {@code version} of the key committed: drops a cached value older than it, keeping the version as a
   * tombstone. Returns whether a cached value was dropped.
   */
  boolean invalidate(CacheKey key, int version) {
    if (slots == null) {
      return false;
    }
    boolean[] dropped = {false};
    slots.asMap().compute(key, (k, slot) -> {
      if (slot != null && slot.version() >= version) {
        return slot;
      }
      dropped[0] = slot != null && slot.value() != null;
      return new Slot(version, null);
    });
    return dropped[0];
  }

  /** Drops every value but keeps the versions, after a time when invalidations may have been missed. */
  void forgetValues() {
    if (slots != null) {
      slots.asMap().replaceAll((key, slot) -> new Slot(slot.version(), null));
    }
  }

  long size() {
    return slots == null ? 0 : slots.estimatedSize();
  }
}
