package io.configd.bridge;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import io.vertx.core.http.ServerWebSocket;
import java.util.function.Consumer;

/** A raw WebSocket client at /eventbus/websocket: one bridge frame per text message. */
final class WebSocketSession extends BridgeSession {

  private final ServerWebSocket ws;
  private final HttpConnection connection;
  private final String authorization;

  /** @param connection the HTTP connection the socket was upgraded from, to abort it */
  WebSocketSession(ServerWebSocket ws, HttpConnection connection, BridgeSettings settings, String authorization) {
    this.ws = ws;
    this.connection = connection;
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
  String transport() {
    return "websocket";
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
  WriteStream<?> stream() {
    return ws;
  }

  @Override
  SocketAddress address() {
    return ws.remoteAddress();
  }

  @Override
  void closeSocket() {
    ws.close();
  }

  @Override
  void abortSocket() {
    Abort.connection(connection);
  }

  @Override
  void closeGoingAway() {
    ws.close(GOING_AWAY, GOING_AWAY_REASON);
  }
}
