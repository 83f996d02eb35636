package io.configd.cache;

import io.configd.model.KeyPrefix;
import java.util.List;

/**
 * The request of {@link io.configd.model.Addresses#CACHE_LIST}: the current entries under a prefix, after the key
 * {@code after} ("" for the first page), always read from PostgreSQL; answered with a
 * {@code Page<ConfigValue>}.
 *
 * @param readable the prefixes the caller may read: only entries under one of them are listed; null for all
 */
public record CacheListing(String env, KeyPrefix prefix, String after, int limit, List<String> readable) {

  public CacheListing {
    readable = readable == null ? null : List.copyOf(readable);
  }
}
