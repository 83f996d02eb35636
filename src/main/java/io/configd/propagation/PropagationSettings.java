package io.configd.propagation;

import io.configd.store.PgSettings;
import io.configd.stream.KafkaSettings;
import io.vertx.core.json.JsonObject;

/** What the propagation verticle reads: the change topic, and PostgreSQL for snapshots and catch-up. */
public record PropagationSettings(KafkaSettings kafka, String nodeName, int snapshotPageSize, PgSettings pg) {

  public static PropagationSettings from(JsonObject config) {
    return new PropagationSettings(KafkaSettings.from(config.getJsonObject("kafka")),
        config.getJsonObject("node").getString("name"),
        config.getJsonObject("propagation", new JsonObject()).getInteger("snapshotPageSize", 5000),
        PgSettings.from(config.getJsonObject("pg")));
  }
}
