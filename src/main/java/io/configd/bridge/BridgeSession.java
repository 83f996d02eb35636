package io.configd.bridge;

import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import java.util.function.Consumer;

/**
 * One connected bridge client's socket, whatever its transport. What the bridge knows of the client (its principal,
 * subscriptions, counters) is kept by the {@link SessionRegistry}. Lives on the event loop of the API verticle
 * instance that accepted it; every method runs there.
 */
abstract class BridgeSession {

  /** The WebSocket close code (RFC 6455) of a node that stops: the client reconnects elsewhere. */
  static final short GOING_AWAY = 1001;
  static final String GOING_AWAY_REASON = "configd node stopping: reconnect to another node";

  private boolean closed;

  /** The frame type of a delivered message: "rec" on SockJS and WebSocket, "message" on TCP. */
  abstract String messageType();

  /** The transport's name in the node's statistics: sockjs, websocket, tcp or sse. */
  abstract String transport();

  /** Writes one JSON frame, already encoded. */
  abstract void write(String json);

  /** The socket's write side, whose queue bounds what a slow client may hold. */
  abstract WriteStream<?> stream();

  abstract SocketAddress address();

  abstract void closeSocket();

  /** Hands every inbound text frame to {@code frames}, and calls {@code closed} once when the socket closes. */
  abstract void listen(Consumer<String> frames, Runnable closed);

  /** The Authorization header of the request that opened the socket, when the transport has one. */
  String upgradeAuthorization() {
    return null;
  }

  boolean writeQueueFull() {
    return stream().writeQueueFull();
  }

  boolean closed() {
    return closed;
  }

  /** Writes the frame unless the socket is closed. */
  void send(String json) {
    if (!closed) {
      write(json);
    }
  }

  void close() {
    closed = true;
    closeSocket();
  }

  /**
   * The node is stopping: closes the socket so that the client reconnects to another node at once, with a WebSocket
   * close code 1001 (going away) where the transport has one. The configd clients reconnect on any close.
   */
  void goingAway() {
    closed = true;
    closeGoingAway();
  }

  /** Closes as the transport says "going away"; a plain close by default. */
  void closeGoingAway() {
    closeSocket();
  }

  void markClosed() {
    closed = true;
  }

  String remote() {
    return String.valueOf(address());
  }

  /** The client's address, which rate limits count by. */
  String host() {
    SocketAddress address = address();
    return address == null ? "unknown" : address.hostAddress();
  }
}
