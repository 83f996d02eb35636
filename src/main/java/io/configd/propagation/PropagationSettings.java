package io.configd.propagation;

import io.configd.store.PgSettings;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** What the propagation verticle reads: the topic, how to reach Kafka, and PostgreSQL for catch-up. */
public record PropagationSettings(String bootstrapServers, String topic, int snapshotPageSize, PgSettings pg) {

  public static PropagationSettings from(JsonObject config) {
    JsonObject kafka = config.getJsonObject("kafka");
    return new PropagationSettings(kafka.getString("bootstrapServers"), kafka.getString("topic"),
        config.getJsonObject("propagation", new JsonObject()).getInteger("snapshotPageSize", 5000),
        PgSettings.from(config.getJsonObject("pg")));
  }

  /**
   * A consumer that reads every partition itself (manual assignment, no group), so that every node
   * sees every change; it keeps no offsets: subscribers catch up from PostgreSQL, not from Kafka.
   */
  Map<String, String> consumerConfig() {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    config.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", "latest");
    config.put("fetch.max.wait.ms", "20");
    config.put("reconnect.backoff.max.ms", "2000");
    config.put("client.id", "configd-propagation");
    return config;
  }
}
