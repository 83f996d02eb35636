package io.configd.cache;

/** One cached entry: a key in an environment. */
record CacheKey(String env, String key) {
}
