package io.configd.bridge;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Bridge counters of one node, shared by its API verticle instances (the node builds one). */
public final class BridgeStats {

  final LongAdder connected = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder slowClosed = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder subscriptions = new LongAdder();
  private final Map<String, LongAdder> byTransport = new ConcurrentHashMap<>();

  /** Connected sockets of one transport. */
  LongAdder connected(String transport) {
    return byTransport.computeIfAbsent(transport, name -> new LongAdder());
  }

  public JsonObject toJson() {
    JsonObject transports = new JsonObject();
    for (String transport : new String[] {"sockjs", "websocket", "tcp", "sse"}) {
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
