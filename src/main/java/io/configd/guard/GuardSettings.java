package io.configd.guard;

import io.vertx.core.json.JsonObject;

/**
 * The {@code guards} section. A node reloads the schemas and approval policies when its copy is older than
 * {@code refreshMillis} before it checks a write (a change made on another node takes effect here within that, or
 * at once when the nodes are clustered); a pending change expires after {@code pendingExpiryMillis} unless its
 * policy says otherwise.
 */
public record GuardSettings(long refreshMillis, long pendingExpiryMillis) {

  public static GuardSettings from(JsonObject guards) {
    GuardSettings settings = new GuardSettings(guards.getLong("refreshMillis", 1000L),
        guards.getLong("pendingExpiryMillis", 604_800_000L));
    if (settings.refreshMillis() < 0 || settings.pendingExpiryMillis() < 1) {
      throw new IllegalArgumentException("guards: refreshMillis must be 0 or more, pendingExpiryMillis positive: "
          + guards.encode());
    }
    return settings;
  }
}
