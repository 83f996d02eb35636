package io.configd.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * The per-node tier: a bounded Caffeine cache of slots, shared by the node's API instances (which read it on their
 * own event loops) and its cache verticle (which fills and invalidates it). A slot holds the newest version this
 * node knows of a key, with its entry when the node has it, or without it (a tombstone) after an invalidation, so
 * that a late fill of an older version can be recognised and refused. Every change of a slot is one atomic compute.
 */
public final class NearCache {

  /** {@code entry} is null when the version is known but its value is not (invalidated). */
  private record Slot(int version, CachedEntry entry) {
  }

  private final Cache<CacheKey, Slot> slots;

  NearCache(int maxEntries, int expireSeconds) {
    slots = maxEntries <= 0 ? null : Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfterWrite(Duration.ofSeconds(expireSeconds))
        .executor(Runnable::run) // eviction on the caller's thread: no work leaks onto the common pool
        .build();
  }

  /** The cached entry, or null when this node has none (absent, evicted or invalidated). */
  CachedEntry get(CacheKey key) {
    Slot slot = slots == null ? null : slots.getIfPresent(key);
    return slot == null ? null : slot.entry();
  }

  /** The newest version this node knows of the key, 0 when it knows none. */
  int highWater(CacheKey key) {
    Slot slot = slots == null ? null : slots.getIfPresent(key);
    return slot == null ? 0 : slot.version();
  }

  /** Stores an entry unless a newer version is known; returns whether it was stored (or already there). */
  boolean fill(CacheKey key, CachedEntry entry) {
    if (slots == null) {
      return true;
    }
    boolean[] stored = {false};
    slots.asMap().compute(key, (k, slot) -> {
      if (slot != null && slot.version() > entry.version()) {
        return slot;
      }
      stored[0] = true;
      return slot != null && slot.version() == entry.version() && slot.entry() != null ? slot
          : new Slot(entry.version(), entry);
    });
    return stored[0];
  }

  /**
   * Version {@code version} of the key committed: drops a cached entry older than it, keeping the version as a
   * tombstone. Returns whether a cached entry was dropped.
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
      dropped[0] = slot != null && slot.entry() != null;
      return new Slot(version, null);
    });
    return dropped[0];
  }

  /** Drops every entry but keeps the versions, after a time when invalidations may have been missed. */
  void forgetValues() {
    if (slots != null) {
      slots.asMap().replaceAll((key, slot) -> new Slot(slot.version(), null));
    }
  }

  long size() {
    return slots == null ? 0 : slots.estimatedSize();
  }
}
