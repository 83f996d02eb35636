package io.configd.client;

import io.configd.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/** Writes through a node and, until the Kafka publisher delivers them, the live publication of a change. */
final class ClientTestSupport {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private ClientTestSupport() {
  }

  /** PUTs a value and returns the change it made, shaped as the bridge carries it. */
  static JsonObject put(TestNode node, String env, String key, Object value) {
    var response = node.put(key, env, value);
    if (response.statusCode() != 200) {
      throw new AssertionError("PUT " + key + " answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    JsonObject written = response.bodyAsJsonObject();
    return new JsonObject().put("key", written.getString("key")).put("env", written.getString("env"))
        .put("value", written.getValue("value")).put("version", written.getInteger("version"))
        .put("revision", written.getLong("revision")).put("updatedAt", written.getString("updatedAt"))
        .put("updatedBy", written.getString("updatedBy")).put("deleted", written.getBoolean("deleted"))
        .put("critical", written.getBoolean("critical"));
  }

  /**
   * Publishes a change on the node's event bus at config.&lt;env&gt;.&lt;path&gt;, locally, exactly as the
   * PropagationVerticle does for each Kafka record: the bridge then writes it to the subscribed sockets.
   * Tests use it to deliver a change again (as an at-least-once relay may) or at a chosen moment.
   */
  static void publishLive(Vertx vertx, JsonObject change, String path) {
    String address = path.isEmpty() ? "config." + change.getString("env") : "config." + change.getString("env") + "." + path;
    vertx.eventBus().publish(address, change, LOCAL);
  }
}
