package io.configd.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The per-node tier: a bounded Caffeine cache of slots, shared by the node's API instances (which read it on their
 * own event loops, and fill it with what they write) and its cache verticle (which fills and invalidates it). A slot
 * holds the newest version this node knows of a key, with its entry when the node has it, or without it (a tombstone)
 * after an invalidation, so that a late fill of an older version can be recognised and refused. Every change of a slot
 * is one atomic compute. A version this node wrote is also held apart from the slots, neither evicted nor expired,
 * until Redis has taken its invalidation: until then an older version found in Redis is outdated for this node.
 */
public final class NearCache {

  /** {@code entry} is null when the version is known but its value is not (invalidated). */
  private record Slot(int version, CachedEntry entry) {
  }

  private final Cache<CacheKey, Slot> slots;
  /** Versions this node committed whose Redis invalidation is under way, by key (kept even with no slots). */
  private final ConcurrentMap<CacheKey, Integer> redisBehind = new ConcurrentHashMap<>();

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
    return Math.max(slot == null ? 0 : slot.version(), redisBehind.getOrDefault(key, 0));
  }

  /**
   * This node committed the entry: it is stored, and its version stays known, eviction or not, until
   * {@link #redisCaughtUp} (a read of Redis meanwhile may find an older version there). Returns whether it was stored.
   */
  boolean written(CacheKey key, CachedEntry entry) {
    redisBehind.merge(key, entry.version(), Math::max);
    return fill(key, entry);
  }

  /**
   * Redis took (or refused, then backlogged) the invalidation to {@code version}: a version written here up to it
   * needs no longer be held (one round may carry a key's newest version only), the slot says the rest.
   */
  void redisCaughtUp(CacheKey key, int version) {
    redisBehind.computeIfPresent(key, (k, held) -> held <= version ? null : held);
  }

  /** Stores an entry unless a newer version is known; returns whether it was stored (or already there). */
  boolean fill(CacheKey key, CachedEntry entry) {
    if (entry.version() < redisBehind.getOrDefault(key, 0)) {
      return false;
    }
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
