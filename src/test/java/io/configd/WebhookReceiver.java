package io.configd;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook endpoint for tests: a Vert.x HTTP server on loopback that records every alert it is sent.
 * It can be stopped and started again on the same port, or made to hang (accept and never answer).
 */
public final class WebhookReceiver {

  private final Vertx vertx;
  private final boolean hangs;
  private final List<JsonObject> alerts = new CopyOnWriteArrayList<>();
  private int port;
  private HttpServer server;

  private WebhookReceiver(Vertx vertx, boolean hangs) {
    this.vertx = vertx;
    this.hangs = hangs;
  }

  /** A receiver that answers 204 to every POST and records its body. */
  public static WebhookReceiver start(Vertx vertx) {
    WebhookReceiver receiver = new WebhookReceiver(vertx, false);
    receiver.listen(0).await();
    return receiver;
  }

  /** A webhook that accepts connections and never answers: the worst kind of dead. */
  public static WebhookReceiver hanging(Vertx vertx) {
    WebhookReceiver receiver = new WebhookReceiver(vertx, true);
    receiver.listen(0).await();
    return receiver;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/alerts";
  }

  public List<JsonObject> alerts() {
    return alerts;
  }

  public List<Long> revisions() {
    return alerts.stream().map(alert -> alert.getJsonObject("change").getLong("revision")).toList();
  }

  public void stop() {
    if (server != null) {
      server.close().await();
      server = null;
    }
  }

  /** Listens again on the same port. */
  public void restart() {
    listen(port).await();
  }

  private Future<HttpServer> listen(int onPort) {
    return vertx.createHttpServer()
        .requestHandler(request -> {
          if (hangs) {
            return;
          }
          request.body().onSuccess(body -> {
            alerts.add(body.toJsonObject());
            request.response().setStatusCode(204).end();
          });
        })
        .listen(onPort, "127.0.0.1")
        .onSuccess(listening -> {
          server = listening;
          port = listening.actualPort();
        });
  }
}
