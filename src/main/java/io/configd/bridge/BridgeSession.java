package io.configd.bridge;

import io.configd.auth.TokenBucket;
import io.configd.model.Principal;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
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
  /** Who the client is: set by the first frame (or upgrade request) that carries a valid token, replaced by the next. */
  Principal principal;
  /** The Authorization value the principal came from, kept in memory only to check it again (revocation). */
  String authorization;
  /** Frames wait here, in order, while a token is being verified. */
  Future<Void> frames = Future.succeededFuture();
  int waitingFrames;
  /** Refused frames (no token, outside the grants): a client that keeps being refused is closed. */
  TokenBucket refusals;

  /** The frame type of a delivered message: "rec" on SockJS and WebSocket, "message" on TCP. */
  abstract String messageType();

  /** The transport's name in the node's statistics: sockjs, websocket or tcp. */
  abstract String transport();

  /** Writes one JSON frame, already encoded. */
  abstract void write(String json);

  /** The socket's write side, whose queue bounds what a slow client may hold. */
  abstract WriteStream<?> stream();

  abstract SocketAddress address();

  abstract void closeSocket();

  boolean writeQueueFull() {
    return stream().writeQueueFull();
  }

  void close() {
    closed = true;
    closeSocket();
  }

  String remote() {
    return String.valueOf(address());
  }

  /** The client's address, which rate limits count by. */
  String host() {
    SocketAddress address = address();
    return address == null ? "unknown" : address.hostAddress();
  }

  /** The Authorization header of the request that opened the socket, when the transport has one. */
  String upgradeAuthorization() {
    return null;
  }

  /** Hands every inbound text frame to {@code frames}, and calls {@code closed} once when the socket closes. */
  abstract void listen(Consumer<String> frames, Runnable closed);

  void writeJson(io.vertx.core.json.JsonObject frame) {
    write(frame.encode());
  }

}
