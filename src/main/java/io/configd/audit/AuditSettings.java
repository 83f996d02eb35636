package io.configd.audit;

import io.configd.stream.KafkaSettings;
import io.vertx.core.json.JsonObject;

/** The audit consumer's settings: its consumer group (the {@code audit} section) and Kafka. */
public record AuditSettings(String nodeName, String group, KafkaSettings kafka) {

  public static AuditSettings from(JsonObject audit, String nodeName, KafkaSettings kafka) {
    return new AuditSettings(nodeName, audit.getString("group", "configd-audit"), kafka);
  }
}
