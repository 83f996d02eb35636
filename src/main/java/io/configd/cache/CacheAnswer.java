package io.configd.cache;

/**
 * The answer to one read: the entry (null when PostgreSQL has no such key), the tier it came from, and whether it
 * is stale, i.e. served from the near cache or Redis while this node cannot reach PostgreSQL to confirm it.
 */
public record CacheAnswer(CachedEntry entry, Tier tier, boolean stale) {
}
