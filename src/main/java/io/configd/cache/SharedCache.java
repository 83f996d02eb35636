package io.configd.cache;

/**
 * What the cache verticle and the API instances of one node share, built once by the node: the near cache (read on
 * the API's own event loops, filled and invalidated by the cache verticle), its counters and PostgreSQL's health.
 */
public record SharedCache(NearCache near, CacheStats stats, PostgresqlHealth postgresql) {

  public static SharedCache create(CacheSettings settings) {
    return new SharedCache(new NearCache(settings.nearMaxEntries(), settings.nearExpireSeconds()), new CacheStats(),
        new PostgresqlHealth());
  }

  /** The near cache's answer for the key, counted as a hit, or null (not counted) when it holds none. */
  CacheAnswer nearHit(CacheKey key) {
    CachedEntry entry = near.get(key);
    if (entry == null) {
      return null;
    }
    stats.nearHits.increment();
    return cachedAnswer(entry, Tier.NEAR);
  }

  /** An answer from the near cache or Redis: stale while PostgreSQL is unreachable. */
  CacheAnswer cachedAnswer(CachedEntry entry, Tier tier) {
    boolean stale = !postgresql.up();
    if (stale) {
      stats.staleServed.increment();
    }
    return new CacheAnswer(entry, tier, stale);
  }
}
