package io.configd.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Bridge counters of one node, shared by its API verticle instances. */
public final class BridgeStats implements Shareable {

  final LongAdder connected = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder slowClosed = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder subscriptions = new LongAdder();
  private final Map<String, LongAdder> byTransport = new ConcurrentHashMap<>();

  public static BridgeStats of(Vertx vertx) {
    return (BridgeStats) vertx.sharedData().getLocalMap("configd.bridge").computeIfAbsent("stats", k -> new BridgeStats());
  }

  /** Connected sockets of one transport. */
  LongAdder connected(String transport) {
    return byTransport.computeIfAbsent(transport, name -> new LongAdder());
  }

  public JsonObject toJson() {
    JsonObject transports = new JsonObject();
    for (String transport : new String[] {"sockjs", "websocket", "tcp"}) {
      transports.put(transport, connected(transport).sum());
    }
    return new JsonObject()
        .put("connected", connected.sum())
        .put("transports", transports)
        .put("subscriptions", subscriptions.sum())
        .put("delivered", delivered.sum())
        .put("slowClosed", slowClosed.sum())
        .put("refused", refused.sum());
  }
}
