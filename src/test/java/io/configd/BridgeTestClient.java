package io.configd;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A raw WebSocket bridge client for tests: speaks the bridge protocol frame by frame and records what it gets. */
public final class BridgeTestClient {

  public final List<JsonObject> messages = new CopyOnWriteArrayList<>();
  public final List<JsonObject> errors = new CopyOnWriteArrayList<>();
  private final Map<String, Promise<JsonObject>> replies = new ConcurrentHashMap<>();
  private final Promise<Void> closed = Promise.promise();
  private final WebSocketClient client;
  private WebSocket ws;

  private final boolean ownsClient;
  /** Sent in the headers of every frame; null sends none. */
  private String token;

  private BridgeTestClient(WebSocketClient client, boolean ownsClient, String token) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.token = token;
  }

  /** A client whose frames carry {@code token} (null: none) in their headers, as the bridge protocol allows. */
  public static Future<BridgeTestClient> connect(Vertx vertx, int port, String token) {
    return connect(vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
        .setMaxMessageSize(8 << 20)), port, true, token);
  }

  /** A client that sends its token once, in the Authorization header of the WebSocket upgrade, and in no frame. */
  public static Future<BridgeTestClient> connectWithUpgradeHeader(Vertx vertx, int port, String token) {
    BridgeTestClient bridge = new BridgeTestClient(vertx.createWebSocketClient(), true, null);
    return bridge.open(port, Map.of("Authorization", "Bearer " + token));
  }

  /** A client whose WebSocket upgrade carries these headers (a proxy's X-Forwarded-For, say). */
  public static Future<BridgeTestClient> connect(Vertx vertx, int port, String token, Map<String, String> upgradeHeaders) {
    BridgeTestClient bridge = new BridgeTestClient(vertx.createWebSocketClient(), true, token);
    return bridge.open(port, upgradeHeaders);
  }

  /** A connection through a shared WebSocket client, for tests with thousands of subscribers. */
  public static Future<BridgeTestClient> connect(WebSocketClient client, int port, boolean ownsClient, String token) {
    return new BridgeTestClient(client, ownsClient, token).open(port, Map.of());
  }

  private Future<BridgeTestClient> open(int port, Map<String, String> upgradeHeaders) {
    BridgeTestClient bridge = this;
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/eventbus/websocket");
    upgradeHeaders.forEach(options::addHeader);
    return client.connect(options)
        .map(ws -> {
          bridge.ws = ws;
          ws.textMessageHandler(bridge::onFrame);
          ws.closeHandler(v -> bridge.closed.tryComplete());
          return bridge;
        });
  }

  public Future<Void> register(String address) {
    return frame(new JsonObject().put("type", "register").put("address", address));
  }

  /** Sends a request and completes with the reply frame (type rec or err). */
  public Future<JsonObject> request(String address, JsonObject body) {
    String reply = UUID.randomUUID().toString();
    Promise<JsonObject> answer = Promise.promise();
    replies.put(reply, answer);
    return frame(new JsonObject().put("type", "send").put("address", address).put("body", body)
        .put("replyAddress", reply)).compose(v -> answer.future());
  }

  /** Writes a frame, with the client's token in its headers unless the frame has headers of its own. */
  public Future<Void> frame(JsonObject frame) {
    if (token != null && !frame.containsKey("headers")) {
      frame = frame.copy().put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    }
    return ws.writeTextMessage(frame.encode());
  }

  /** From now on, frames carry this token (null: none). */
  public BridgeTestClient token(String token) {
    this.token = token;
    return this;
  }

  public Future<Void> raw(String text) {
    return ws.writeTextMessage(text);
  }

  public Future<Void> closed() {
    return closed.future();
  }

  /** The WebSocket close code the server sent, once closed (null before). */
  public Short closeCode() {
    return ws.closeStatusCode();
  }

  public boolean isClosed() {
    return closed.future().isComplete();
  }

  public Future<Void> close() {
    return ownsClient ? ws.close().eventually(client::close) : ws.close();
  }

  private void onFrame(String text) {
    JsonObject frame = new JsonObject(text);
    Promise<JsonObject> reply = replies.remove(frame.getString("address", ""));
    if (reply != null) {
      reply.complete(frame);
    } else if ("err".equals(frame.getString("type"))) {
      errors.add(frame);
    } else {
      messages.add(frame);
    }
  }
}
