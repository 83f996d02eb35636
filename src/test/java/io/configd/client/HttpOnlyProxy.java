package io.configd.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.WebSocketClient;

/**
 * A node seen through a proxy that forwards plain HTTP but refuses WebSocket upgrades until told otherwise:
 * the situation of a service whose bridge is blocked while the HTTP API still answers.
 */
final class HttpOnlyProxy {

  private final Vertx vertx;
  private final int nodePort;
  private final HttpClient http;
  private final WebSocketClient webSockets;
  private volatile boolean webSocketsAllowed;
  private HttpServer server;

  private HttpOnlyProxy(Vertx vertx, int nodePort) {
    this.vertx = vertx;
    this.nodePort = nodePort;
    this.http = vertx.createHttpClient();
    this.webSockets = vertx.createWebSocketClient();
  }

  static Future<HttpOnlyProxy> start(Vertx vertx, int nodePort) {
    HttpOnlyProxy proxy = new HttpOnlyProxy(vertx, nodePort);
    return vertx.createHttpServer().requestHandler(proxy::handle).listen(0, "127.0.0.1")
        .map(server -> {
          proxy.server = server;
          return proxy;
        });
  }

  int port() {
    return server.actualPort();
  }

  void allowWebSockets() {
    webSocketsAllowed = true;
  }

  Future<Void> stop() {
    return server.close().eventually(http::close).eventually(webSockets::close);
  }

  private void handle(HttpServerRequest request) {
    if (request.path().startsWith("/eventbus")) {
      if (!webSocketsAllowed) {
        request.response().setStatusCode(403).end();
        return;
      }
      // The client's frames wait (paused) until the upstream socket is there, so none is lost.
      request.toWebSocket().onSuccess(client -> {
        client.pause();
        webSockets.connect(nodePort, "127.0.0.1", request.uri())
            .onSuccess(upstream -> {
              client.textMessageHandler(upstream::writeTextMessage);
              upstream.textMessageHandler(client::writeTextMessage);
              client.closeHandler(v -> upstream.close());
              upstream.closeHandler(v -> client.close());
              client.resume();
            })
            .onFailure(failure -> client.close());
      });
      return;
    }
    http.request(request.method(), nodePort, "127.0.0.1", request.uri())
        .compose(forward -> {
          String authorization = request.getHeader("Authorization");
          if (authorization != null) {
            forward.putHeader("Authorization", authorization);
          }
          return forward.send();
        })
        .compose(response -> response.body().map(body -> request.response().setStatusCode(response.statusCode())
            .putHeader("Content-Type", response.getHeader("Content-Type") == null ? "application/json"
                : response.getHeader("Content-Type"))
            .end(body)))
        .onFailure(failure -> request.response().setStatusCode(502).end());
  }
}
