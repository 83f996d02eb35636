package io.configd.propagation;

import io.configd.stream.KafkaSettings;
import io.vertx.core.json.JsonObject;

/**
 * What the propagation verticle reads: the change topic, the page size of the snapshots it answers, and how long a
 * revision read from Kafka waits for an earlier one before the gap is filled from the change log, and the longest it
 * is held while the change log cannot be read.
 */
public record PropagationSettings(KafkaSettings kafka, String nodeName, int snapshotPageSize, long orderWaitMs,
                                  long orderMaxHoldMs) {

  public static PropagationSettings from(JsonObject propagation, String nodeName, KafkaSettings kafka) {
    return new PropagationSettings(kafka, nodeName, propagation.getInteger("snapshotPageSize", 5000),
        propagation.getLong("orderWaitMs", 50L), propagation.getLong("orderMaxHoldMs", 5_000L));
  }
}
