package io.configd.restore;

import io.vertx.core.json.JsonObject;

/**
 * The {@code restore} section: whether a node compares the database with the newest records of the change topic at
 * start-up ({@code checkKafka}), and how long it waits for Kafka to answer ({@code kafkaTimeoutMs}) before it starts
 * without the check.
 */
public record RestoreSettings(boolean checkKafka, long kafkaTimeoutMs) {

  public static RestoreSettings from(JsonObject restore) {
    return new RestoreSettings(restore.getBoolean("checkKafka", true), restore.getLong("kafkaTimeoutMs", 10_000L));
  }
}
