package io.configd.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.LongAdder;

/** Bridge counters of one node, shared by its API verticle instances. */
public final class BridgeStats implements Shareable {

  final LongAdder connected = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder slowClosed = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder subscriptions = new LongAdder();

  public static BridgeStats of(Vertx vertx) {
    return (BridgeStats) vertx.sharedData().getLocalMap("configd.bridge").computeIfAbsent("stats", k -> new BridgeStats());
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("connected", connected.sum())
        .put("subscriptions", subscriptions.sum())
        .put("delivered", delivered.sum())
        .put("slowClosed", slowClosed.sum())
        .put("refused", refused.sum());
  }
}
