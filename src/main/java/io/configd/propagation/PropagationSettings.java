package io.configd.propagation;

import io.configd.stream.KafkaSettings;
import io.vertx.core.json.JsonObject;

/** What the propagation verticle reads: the change topic, and the page size of the snapshots it answers. */
public record PropagationSettings(KafkaSettings kafka, String nodeName, int snapshotPageSize) {

  public static PropagationSettings from(JsonObject propagation, String nodeName, KafkaSettings kafka) {
    return new PropagationSettings(kafka, nodeName, propagation.getInteger("snapshotPageSize", 5000));
  }
}
