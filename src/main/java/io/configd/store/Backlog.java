package io.configd.store;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;

/** The changes committed but not yet relayed to Kafka: how many, and since when. */
public record Backlog(long size, Long oldestRevision, Instant oldestAt) {

  public JsonObject toJson(Instant now) {
    JsonObject json = new JsonObject().put("size", size);
    if (oldestAt != null) {
      json.put("oldestRevision", oldestRevision)
          .put("oldestAt", oldestAt.toString())
          .put("oldestAgeMs", Math.max(0, Duration.between(oldestAt, now).toMillis()));
    }
    return json;
  }
}
