package io.configd.cache;

import io.configd.model.ConfigKey;

/** The request of {@link io.configd.model.Addresses#CACHE_GET}: one key of one environment; answered with a {@link CacheAnswer}. */
public record CacheRead(String env, ConfigKey key) {
}
