package io.configd.bridge;

import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-bus bridge of one API verticle instance: SockJS at /eventbus (the official JavaScript
 * client), raw WebSocket at /eventbus/websocket and TCP (the vertx-tcp-eventbus-bridge framing), all
 * speaking the Vert.x bridge protocol. Deny by default: a client may register only on config.&lt;env&gt;
 * addresses and send only to the snapshot and catch-up addresses; each frame is checked before
 * anything is registered or written.
 */
public final class Bridge {

  public static final String PATH = "/eventbus";
  private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
  private static final Set<String> INBOUND = Set.of(Addresses.SNAPSHOT, Addresses.CHANGES);

  private final Vertx vertx;
  private final BridgeSettings settings;
  private final BridgeStats stats;
  private final Fanout fanout;
  private final Set<BridgeSession> sessions = new LinkedHashSet<>();
  private NetServer tcp;
  private long idleTimer;

  public Bridge(Vertx vertx, BridgeSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.stats = BridgeStats.of(vertx);
    this.fanout = new Fanout(vertx, stats);
  }

  /** Mounts the WebSocket and SockJS transports; the raw WebSocket route comes first. */
  public void mount(Router router) {
    router.route(PATH + "/websocket").handler(ctx -> ctx.request().toWebSocket()
        .onSuccess(ws -> accept(new WebSocketSession(ws, settings)))
        .onFailure(failure -> LOG.debug("WebSocket upgrade failed: {}", failure.getMessage())));
    SockJSHandlerOptions options = new SockJSHandlerOptions().setRegisterWriteHandler(false)
        .setInsertJSESSIONID(false);
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, options)
        .socketHandler(socket -> accept(new SockJsSession(socket, settings))));
    long period = Math.max(1000, settings.idleTimeoutSeconds() * 500L);
    idleTimer = vertx.setPeriodic(period, id -> closeIdle());
  }

  /** Starts the TCP bridge, unless its port is -1. */
  public Future<Void> startTcp() {
    if (settings.tcpPort() < 0) {
      return Future.succeededFuture();
    }
    return vertx.createNetServer(new NetServerOptions().setHost(settings.tcpHost()).setPort(settings.tcpPort()))
        .connectHandler(socket -> accept(new TcpSession(socket, settings)))
        .listen()
        .onSuccess(server -> tcp = server)
        .mapEmpty();
  }

  public int tcpPort() {
    return tcp == null ? -1 : tcp.actualPort();
  }

  /** Closes every client socket of this instance (they reconnect elsewhere and catch up). */
  public void disconnectAll() {
    List.copyOf(sessions).forEach(BridgeSession::close);
  }

  public Future<Void> close() {
    vertx.cancelTimer(idleTimer);
    disconnectAll();
    return tcp == null ? Future.succeededFuture() : tcp.close();
  }

  private void accept(BridgeSession session) {
    sessions.add(session);
    stats.connected.increment();
    session.listen(text -> onFrame(session, text), () -> {
      if (sessions.remove(session)) {
        session.closed = true;
        stats.connected.decrement();
        stats.subscriptions.add(-session.addresses.size());
        fanout.removeAll(session);
      }
    });
  }

  private void onFrame(BridgeSession session, String text) {
    session.lastSeen = System.nanoTime();
    if (text.length() > settings.maxFrameBytes()) {
      refuse(session, "frame_too_large", "frames are limited to " + settings.maxFrameBytes() + " bytes");
      session.close();
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      invalid(session, "the frame is not a JSON object");
      return;
    }
    String type = frame.getValue("type") instanceof String t ? t : "";
    switch (type) {
      case "ping" -> {
        if (session.messageType().equals("message")) {
          session.write("{\"type\":\"pong\"}");
        }
      }
      case "register" -> register(session, frame.getValue("address"));
      case "unregister" -> unregister(session, frame.getValue("address"));
      case "send" -> send(session, frame);
      case "publish" -> refuse(session, "access_denied", "clients may not publish");
      default -> invalid(session, "unknown frame type '" + type + "'");
    }
  }

  private void register(BridgeSession session, Object address) {
    if (!(address instanceof String target) || !validAddressLength(session, target)) {
      return;
    }
    if (!mayReceive(target)) {
      refuse(session, "access_denied", "clients may only register on config.<environment>[.<key prefix>]");
      return;
    }
    if (session.addresses.contains(target)) {
      return;
    }
    if (session.addresses.size() >= settings.maxHandlersPerSocket()) {
      refuse(session, "too_many_handlers", "at most " + settings.maxHandlersPerSocket() + " registrations per socket");
      return;
    }
    session.addresses.add(target);
    stats.subscriptions.increment();
    fanout.add(target, session);
  }

  private void unregister(BridgeSession session, Object address) {
    if (address instanceof String target && session.addresses.remove(target)) {
      stats.subscriptions.decrement();
      fanout.remove(target, session);
    }
  }

  private void send(BridgeSession session, JsonObject frame) {
    Object address = frame.getValue("address");
    if (!(address instanceof String target) || !validAddressLength(session, target)) {
      return;
    }
    if (!INBOUND.contains(target)) {
      refuse(session, "access_denied", "clients may only send to " + String.join(" and ", INBOUND));
      return;
    }
    Object replyAddress = frame.getValue("replyAddress");
    if (!(replyAddress instanceof String reply) || reply.isEmpty() || reply.length() > settings.maxAddressLength()) {
      invalid(session, "a send to " + target + " needs a replyAddress of at most " + settings.maxAddressLength() + " characters");
      return;
    }
    JsonObject request;
    try {
      request = validRequest(target, frame.getValue("body"));
    } catch (ConfigdException e) {
      replyFailure(session, reply, e.failure().code(), e.getMessage());
      return;
    }
    vertx.eventBus().<JsonObject>request(target, request,
            new DeliveryOptions().setSendTimeout(settings.requestTimeoutMillis()).setLocalOnly(true))
        .onSuccess(answer -> {
          if (!session.closed) {
            session.writeJson(new JsonObject().put("type", session.messageType()).put("address", reply)
                .put("body", answer.body()));
          }
        })
        .onFailure(failure -> {
          int code = failure instanceof ReplyException e ? e.failureCode() : Failure.UNAVAILABLE.code();
          replyFailure(session, reply, code, failure.getMessage());
        });
  }

  /** Validates a snapshot {env, prefix} or catch-up {env, prefix, since, limit} request at the edge. */
  private JsonObject validRequest(String address, Object body) {
    if (!(body instanceof JsonObject json)) {
      throw new ConfigdException(Failure.INVALID_BODY, "the body must be a JSON object {env, prefix"
          + (address.equals(Addresses.CHANGES) ? ", since}" : "}"));
    }
    JsonObject request = new JsonObject()
        .put("env", settings.environments().parse(json.getValue("env") instanceof String s ? s : null))
        .put("prefix", KeyPrefix.parse(json.getValue("prefix") instanceof String s ? s : null).value());
    if (address.equals(Addresses.SNAPSHOT) && json.getValue("after") instanceof String after) {
      request.put("after", ConfigKey.parse(after).value());
    }
    if (address.equals(Addresses.CHANGES)) {
      if (!(json.getValue("since") instanceof Number since) || since.longValue() < 0) {
        throw new ConfigdException(Failure.INVALID_PARAMETER, "since must be a revision number (0 or more)");
      }
      request.put("since", since.longValue());
      Object limit = json.getValue("limit");
      request.put("limit", limit instanceof Number n ? Math.max(1, Math.min(1000, n.intValue())) : 1000);
    }
    return request;
  }

  /** config.&lt;env&gt; or config.&lt;env&gt;.&lt;key prefix&gt;, with a configured environment and a valid prefix. */
  private boolean mayReceive(String address) {
    if (!address.startsWith(Addresses.CHANGE_PREFIX)) {
      return false;
    }
    String rest = address.substring(Addresses.CHANGE_PREFIX.length());
    int dot = rest.indexOf('.');
    String env = dot < 0 ? rest : rest.substring(0, dot);
    if (!settings.environments().names().contains(env)) {
      return false;
    }
    if (dot < 0) {
      return true;
    }
    try {
      ConfigKey.parse(rest.substring(dot + 1));
      return true;
    } catch (ConfigdException e) {
      return false;
    }
  }

  private boolean validAddressLength(BridgeSession session, String address) {
    if (address.length() <= settings.maxAddressLength()) {
      return true;
    }
    refuse(session, "address_too_long", "addresses are limited to " + settings.maxAddressLength() + " characters");
    session.close();
    return false;
  }

  private void invalid(BridgeSession session, String why) {
    session.invalidFrames++;
    refuse(session, "invalid_frame", why);
    if (session.invalidFrames >= settings.maxInvalidFrames()) {
      LOG.info("Closing bridge client {} after {} invalid frames", session.remote(), session.invalidFrames);
      session.close();
    }
  }

  /** The Vert.x bridges' refusal: {type: err, body: access_denied}; the JS client hands it to onerror. */
  private void refuse(BridgeSession session, String code, String detail) {
    stats.refused.increment();
    if (!session.closed) {
      session.writeJson(new JsonObject().put("type", "err").put("body", code).put("message", code + ": " + detail));
    }
  }

  private void replyFailure(BridgeSession session, String reply, int code, String message) {
    if (!session.closed) {
      session.writeJson(new JsonObject().put("type", "err").put("address", reply).put("failureCode", code)
          .put("failureType", "RECIPIENT_FAILURE").put("message", message));
    }
  }

  private void closeIdle() {
    long limit = TimeUnit.SECONDS.toNanos(settings.idleTimeoutSeconds());
    long now = System.nanoTime();
    for (BridgeSession session : List.copyOf(sessions)) {
      if (now - session.lastSeen > limit) {
        LOG.debug("Closing idle bridge client {}", session.remote());
        session.close();
      }
    }
  }
}
