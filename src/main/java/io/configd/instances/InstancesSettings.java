package io.configd.instances;

import io.vertx.core.json.JsonObject;

/**
 * The {@code instances} section.
 *
 * @param heartbeatMillis how often a node writes what changed of its instances to PostgreSQL and refreshes the rest
 * @param staleMillis     an instance counts as gone once its node has not refreshed it for this long (the node died),
 *                        and an instance that only reads over HTTP once it has not read for this long
 * @param forgetMillis    a gone instance is listed as gone this long, then forgotten
 */
public record InstancesSettings(long heartbeatMillis, long staleMillis, long forgetMillis) {

  public static InstancesSettings from(JsonObject instances) {
    InstancesSettings settings = new InstancesSettings(instances.getLong("heartbeatMillis", 5_000L),
        instances.getLong("staleMillis", 30_000L), instances.getLong("forgetMillis", 3_600_000L));
    if (settings.heartbeatMillis() < 1 || settings.staleMillis() <= settings.heartbeatMillis()
        || settings.forgetMillis() < 1) {
      throw new IllegalArgumentException("instances: heartbeatMillis and forgetMillis must be positive, staleMillis "
          + "longer than heartbeatMillis: " + instances.encode());
    }
    return settings;
  }
}
