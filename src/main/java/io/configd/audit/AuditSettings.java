package io.configd.audit;

import io.configd.store.PgSettings;
import io.configd.stream.KafkaSettings;
import io.vertx.core.json.JsonObject;

/** The audit consumer's settings: its consumer group (the {@code audit} section), Kafka and PostgreSQL. */
public record AuditSettings(String nodeName, String group, KafkaSettings kafka, PgSettings pg) {

  public static AuditSettings from(JsonObject config) {
    JsonObject audit = config.getJsonObject("audit", new JsonObject());
    return new AuditSettings(config.getJsonObject("node").getString("name"), audit.getString("group", "configd-audit"),
        KafkaSettings.from(config.getJsonObject("kafka")), PgSettings.from(config.getJsonObject("pg")));
  }
}
