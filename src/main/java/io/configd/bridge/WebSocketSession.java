package io.configd.bridge;

import io.vertx.core.http.ServerWebSocket;
import java.util.function.Consumer;

/** A raw WebSocket client at /eventbus/websocket: one bridge frame per text message. */
final class WebSocketSession extends BridgeSession {

  private final ServerWebSocket ws;
  private final String authorization;

  WebSocketSession(ServerWebSocket ws, BridgeSettings settings, String authorization) {
    this.ws = ws;
    this.authorization = authorization;
    ws.setWriteQueueMaxSize(settings.writeQueueMaxBytes());
  }

  @Override
  void listen(Consumer<String> frames, Runnable closed) {
    ws.textMessageHandler(frames::accept);
    ws.binaryMessageHandler(buffer -> frames.accept(buffer.toString()));
    ws.exceptionHandler(failure -> ws.close());
    ws.closeHandler(v -> closed.run());
  }

  @Override
  String upgradeAuthorization() {
    return authorization;
  }

  @Override
  String messageType() {
    return "rec";
  }

  @Override
  void write(String json) {
    ws.writeTextMessage(json);
  }

  @Override
  boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  void close() {
    closed = true;
    ws.close();
  }

  @Override
  String remote() {
    return String.valueOf(ws.remoteAddress());
  }

  @Override
  String host() {
    return ws.remoteAddress() == null ? "unknown" : ws.remoteAddress().hostAddress();
  }
}
