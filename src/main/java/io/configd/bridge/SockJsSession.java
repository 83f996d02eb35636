package io.configd.bridge;

import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.function.Consumer;

/** A SockJS client at /eventbus (any SockJS transport), as the official JavaScript client connects. */
final class SockJsSession extends BridgeSession {

  private final SockJSSocket socket;

  SockJsSession(SockJSSocket socket, BridgeSettings settings) {
    this.socket = socket;
    socket.setWriteQueueMaxSize(settings.writeQueueMaxBytes());
  }

  @Override
  void listen(Consumer<String> frames, Runnable closed) {
    socket.handler(buffer -> frames.accept(buffer.toString()));
    socket.exceptionHandler(failure -> socket.close());
    socket.closeHandler(v -> closed.run());
  }

  @Override
  String upgradeAuthorization() {
    return socket.headers() == null ? null : socket.headers().get("Authorization");
  }

  @Override
  String transport() {
    return "sockjs";
  }

  @Override
  String messageType() {
    return "rec";
  }

  @Override
  void write(String json) {
    socket.write(json);
  }

  @Override
  WriteStream<?> stream() {
    return socket;
  }

  @Override
  SocketAddress address() {
    return socket.remoteAddress();
  }

  @Override
  void closeSocket() {
    socket.close();
  }

  /** The connection of the request that opened the socket: a WebSocket's own; for a polling transport, its first. */
  @Override
  void abortSocket() {
    if (socket.routingContext() != null) {
      Abort.connection(socket.routingContext().request().connection());
    } else {
      socket.close();
    }
  }

  @Override
  void closeGoingAway() {
    socket.close(GOING_AWAY, GOING_AWAY_REASON);
  }
}
