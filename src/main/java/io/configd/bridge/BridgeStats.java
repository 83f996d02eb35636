package io.configd.bridge;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;

/** Bridge counters of one node, shared by its API verticle instances (the node builds one). */
public final class BridgeStats {

  final LongAdder connected = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder slowClosed = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder subscriptions = new LongAdder();

  public JsonObject toJson() {
    return new JsonObject()
        .put("connected", connected.sum())
        .put("subscriptions", subscriptions.sum())
        .put("delivered", delivered.sum())
        .put("slowClosed", slowClosed.sum())
        .put("refused", refused.sum());
  }
}
