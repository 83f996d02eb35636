package io.configd.bridge;

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
  String messageType() {
    return "rec";
  }

  @Override
  void write(String json) {
    socket.write(json);
  }

  @Override
  boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  void close() {
    closed = true;
    socket.close();
  }

  @Override
  String remote() {
    return String.valueOf(socket.remoteAddress());
  }

  @Override
  String host() {
    return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
  }
}
