package io.configd.bridge;

import io.configd.model.Instance;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One connected bridge client's socket, whatever its transport. What the bridge knows of the client (its principal,
 * subscriptions, counters) is kept by the {@link SessionRegistry}. Lives on the event loop of the API verticle
 * instance that accepted it; every method runs there.
 */
abstract class BridgeSession {

  /** How long a socket's close may take before the connection is aborted (a close frame waits behind a full queue). */
  static final long CLOSE_TIMEOUT_MILLIS = 2_000;
  /** The WebSocket close code (RFC 6455) of a node that stops: the client reconnects elsewhere. */
  static final short GOING_AWAY = 1001;
  static final String GOING_AWAY_REASON = "configd node stopping: reconnect to another node";

  private boolean closed;
  /** The transport said the socket is closed. */
  private boolean ended;
  /** Who the client said it is (its hello, or a watch's parameters); set by the {@link SessionRegistry} only. */
  private Instance instance;
  /** The client's address as the trusted proxies name it; null until the bridge accepts the socket. */
  private String client;

  /** The frame type of a delivered message: "rec" on SockJS and WebSocket, "message" on TCP. */
  abstract String messageType();

  /** The transport's name in the node's statistics: sockjs, websocket, tcp or sse. */
  abstract String transport();

  /** Writes one JSON frame, already encoded. */
  abstract void write(String json);

  /**
   * Writes frames released together (a transaction's part for this socket), back to back, in one socket write where
   * the transport's API allows it (TCP). Vert.x flushes each WebSocket and SockJS message by itself: there, a frame each.
   */
  void writeAll(List<String> frames) {
    frames.forEach(this::write);
  }

  /** The socket's write side, whose queue bounds what a slow client may hold. */
  abstract WriteStream<?> stream();

  abstract SocketAddress address();

  abstract void closeSocket();

  /** Drops the connection at once, with whatever waits to be written ({@link Abort}). */
  abstract void abortSocket();

  /** Hands every inbound text frame to {@code frames}, and calls {@code closed} once when the socket closes. */
  abstract void listen(Consumer<String> frames, Runnable closed);

  /** The Authorization header of the request that opened the socket, when the transport has one. */
  String upgradeAuthorization() {
    return null;
  }

  /** The instance this socket's client named itself, once it did (a hello on the bridge, parameters on a watch). */
  Optional<Instance> instance() {
    return Optional.ofNullable(instance);
  }

  void identify(Instance instance) {
    this.instance = instance;
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

  /** Closes the socket; aborts it when the close has not completed within {@link #CLOSE_TIMEOUT_MILLIS}. */
  void close() {
    boolean first = !closed;
    closed = true;
    closeSocket();
    Context context = Vertx.currentContext();
    if (first && !ended && context != null) {
      context.owner().setTimer(CLOSE_TIMEOUT_MILLIS, id -> {
        if (!ended) {
          abortSocket();
        }
      });
    }
  }

  /** A client too slow to read what it is sent: no close handshake, the connection and its queued bytes go now. */
  void abort() {
    closed = true;
    if (!ended) {
      abortSocket();
    }
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
    ended = true;
  }

  String remote() {
    String peer = String.valueOf(address());
    return client == null || peer.startsWith(client + ":") ? peer : client + " (via " + peer + ")";
  }

  /**
   * The client's address, which rate limits count by: behind a trusted proxy, the client its Forwarded or
   * X-Forwarded-For headers name (those of the upgrade or watch request), else the peer's.
   */
  String host() {
    if (client != null) {
      return client;
    }
    SocketAddress address = address();
    return address == null ? "unknown" : address.hostAddress();
  }

  /** Set once by the bridge when it accepts the socket. */
  void client(String client) {
    this.client = client;
  }
}
