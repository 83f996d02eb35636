package io.configd.client;

import io.configd.model.Addresses;
import io.configd.model.ConfigValue;
import io.configd.model.Instance;
import io.configd.model.InstanceAck;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One raw WebSocket to a node's event-bus bridge (/eventbus/websocket, one JSON frame per text message):
 * registrations, request/reply for snapshots and catch-up, live changes, keep-alive pings. Lives on the
 * client's context.
 */
final class BridgeConnection implements Source {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);

  private record Pending(Promise<JsonObject> answer, long timer) {
  }

  private final Vertx vertx;
  private final WebSocket ws;
  private final NodeAddress node;
  private final long timeoutMillis;
  private final BiConsumer<ConfigValue, Long> changes;
  private final Consumer<String> refusals;
  private final Map<String, Pending> pending = new HashMap<>();
  private final String replyPrefix = "configd.client." + UUID.randomUUID() + ".";
  private final Promise<Void> closed = Promise.promise();
  private final JsonObject headers;
  private final long pingTimer;
  private long sequence;

  private BridgeConnection(Vertx vertx, WebSocket ws, NodeAddress node, ClientSettings settings,
                           BiConsumer<ConfigValue, Long> changes, Consumer<String> refusals) {
    this.vertx = vertx;
    this.ws = ws;
    this.node = node;
    this.timeoutMillis = settings.requestTimeout().toMillis();
    this.changes = changes;
    this.refusals = refusals;
    this.headers = settings.authorization() == null ? null : new JsonObject().put("Authorization", settings.authorization());
    ws.textMessageHandler(this::onFrame);
    ws.exceptionHandler(failure -> {
      LOG.debug("Bridge connection to {} failed: {}", node, failure.toString());
      ws.close();
    });
    ws.closeHandler(v -> onClosed());
    pingTimer = vertx.setPeriodic(settings.pingInterval().toMillis(), id -> ws.writeTextMessage("{\"type\":\"ping\"}"));
  }

  /**
   * Connects; {@code changes} gets every live change with the {@code resumeAfter} its frame carries (null when none:
   * the node has given up no revision that has not come since), {@code refusals} every refusal that answers no request.
   */
  static Future<BridgeConnection> open(Vertx vertx, WebSocketClient client, NodeAddress node, ClientSettings settings,
                                       BiConsumer<ConfigValue, Long> changes, Consumer<String> refusals) {
    long timeout = settings.requestTimeout().toMillis();
    WebSocketConnectOptions options = new WebSocketConnectOptions();
    options.setHost(node.host()).setPort(node.port()).setSsl(node.ssl()).setURI(node.basePath() + "/eventbus/websocket")
        .setConnectTimeout(timeout).setTimeout(timeout);
    if (settings.authorization() != null) {
      options.addHeader("Authorization", settings.authorization());
    }
    return client.connect(options).map(ws -> new BridgeConnection(vertx, ws, node, settings, changes, refusals));
  }

  /** Subscribes; the node answers only a refusal, and handles a socket's frames in order. */
  Future<Void> register(String address) {
    return ws.writeTextMessage(withHeaders(new JsonObject().put("type", "register").put("address", address)).encode());
  }

  /** Names this socket's instance; a node refuses a malformed one (a {@link RejectedException}). */
  Future<Void> hello(Instance instance) {
    return request(Addresses.HELLO, instance.toJson()).mapEmpty();
  }

  @Override
  public Future<Void> ack(InstanceAck ack) {
    return request(Addresses.ACK, ack.toJson()).mapEmpty();
  }

  @Override
  public Future<SnapshotPage> snapshot(Watch watch, String after) {
    JsonObject body = new JsonObject().put("env", watch.env()).put("prefix", watch.prefix());
    if (after != null) {
      body.put("after", after);
    }
    return request(Addresses.SNAPSHOT, body).map(answer -> new SnapshotPage(Pages.items(answer.getJsonArray("items")),
        answer.getLong("revision"), answer.getLong("epoch", 0L), answer.getString("next")));
  }

  @Override
  public Future<ChangesPage> changes(Watch watch, long since) {
    return request(Addresses.CHANGES, new JsonObject().put("env", watch.env()).put("prefix", watch.prefix())
        .put("since", since).put("limit", 1000)).map(Pages::changes);
  }

  @Override
  public NodeAddress node() {
    return node;
  }

  Future<Void> closed() {
    return closed.future();
  }

  Future<Void> close() {
    if (!closed.future().isComplete()) {
      ws.close();
    }
    return closed.future();
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    String reply = replyPrefix + (++sequence);
    Promise<JsonObject> answer = Promise.promise();
    long timer = vertx.setTimer(timeoutMillis, id -> {
      if (pending.remove(reply) != null) {
        answer.tryFail(new ConfigClientException(node + " did not answer " + address + " within " + timeoutMillis + " ms"));
      }
    });
    pending.put(reply, new Pending(answer, timer));
    ws.writeTextMessage(withHeaders(new JsonObject().put("type", "send").put("address", address).put("body", body)
            .put("replyAddress", reply)).encode())
        .onFailure(failure -> answered(reply, null, failure));
    return answer.future();
  }

  /** Every frame carries the token: the node checks each one (a token can expire or be revoked meanwhile). */
  private JsonObject withHeaders(JsonObject frame) {
    return headers == null ? frame : frame.put("headers", headers);
  }

  private void onFrame(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (RuntimeException e) {
      LOG.warn("Ignoring an unreadable frame from {}: {}", node, e.getMessage());
      return;
    }
    String type = frame.getString("type", "");
    String address = frame.getString("address");
    if (address != null && pending.containsKey(address)) {
      if (type.equals("err")) {
        String message = frame.getString("message", "request failed");
        answered(address, null, failure(frame.getInteger("failureCode", -1), message));
      } else {
        answered(address, frame.getJsonObject("body", new JsonObject()), null);
      }
    } else if (type.equals("err")) {
      refusals.accept(frame.getString("message", frame.getString("body", "refused")));
    } else if ((type.equals("rec") || type.equals("message")) && address != null && address.startsWith(Addresses.CHANGE_PREFIX)) {
      live(frame);
    }
  }

  private void live(JsonObject frame) {
    ConfigValue change;
    Long resumeAfter;
    try {
      change = ConfigValue.fromJson(frame.getJsonObject("body"));
      resumeAfter = frame.getJsonObject("body").getLong("resumeAfter");
    } catch (RuntimeException e) {
      LOG.warn("Ignoring an unreadable change from {} at {}: {}", node, frame.getString("address"), e.getMessage());
      return;
    }
    changes.accept(change, resumeAfter);
  }

  /**
   * The server's failure codes are its HTTP status times ten plus a number: 4xxx refuses the request as it is, and
   * 410x (snapshot-required, revision-compacted) asks for a snapshot instead.
   */
  private Throwable failure(int failureCode, String message) {
    if (failureCode >= 4100 && failureCode < 4110) {
      return new SnapshotRequiredException(node + ": " + message, 0);
    }
    return failureCode >= 4000 && failureCode < 5000
        ? new RejectedException(node + " rejected the request: " + message)
        : new ConfigClientException(node + ": " + message);
  }

  private void answered(String reply, JsonObject body, Throwable failure) {
    Pending waiting = pending.remove(reply);
    if (waiting == null) {
      return;
    }
    vertx.cancelTimer(waiting.timer());
    if (failure == null) {
      waiting.answer().tryComplete(body);
    } else {
      waiting.answer().tryFail(failure);
    }
  }

  private void onClosed() {
    vertx.cancelTimer(pingTimer);
    for (String reply : List.copyOf(pending.keySet())) {
      answered(reply, null, new ConfigClientException("the connection to " + node + " closed"));
    }
    closed.tryComplete();
  }
}
