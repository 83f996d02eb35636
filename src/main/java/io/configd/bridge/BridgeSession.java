package io.configd.bridge;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One connected bridge client, whatever its transport. Lives on the event loop of the API verticle
 * instance that accepted it; every method runs there.
 */
abstract class BridgeSession {

  final Set<String> addresses = new HashSet<>();
  long lastSeen = System.nanoTime();
  int invalidFrames;
  boolean closed;

  /** The frame type of a delivered message: "rec" on SockJS and WebSocket, "message" on TCP. */
  abstract String messageType();

  /** Writes one JSON frame, already encoded. */
  abstract void write(String json);

  abstract boolean writeQueueFull();

  abstract void close();

  abstract String remote();

  /** Hands every inbound text frame to {@code frames}, and calls {@code closed} once when the socket closes. */
  abstract void listen(Consumer<String> frames, Runnable closed);

  void writeJson(io.vertx.core.json.JsonObject frame) {
    write(frame.encode());
  }

}
