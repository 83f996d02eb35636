package io.configd.cache;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonObject;

/**
 * The answer to one read: the entry (null when PostgreSQL has no such key), the tier it came from, and whether it
 * is stale, i.e. served from the near cache or Redis while this node cannot reach PostgreSQL to confirm it.
 */
record Lookup(ConfigValue entry, String source, boolean stale) {

  static final String NEAR = "near";
  static final String REDIS = "redis";
  static final String POSTGRESQL = "postgresql";

  JsonObject toJson() {
    return new JsonObject().put("entry", entry == null ? null : entry.toJson()).put("source", source).put("stale", stale);
  }
}
