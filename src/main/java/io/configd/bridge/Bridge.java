package io.configd.bridge;

import io.configd.auth.AuthSettings;
import io.configd.auth.Authenticator;
import io.configd.auth.RateLimits;
import io.configd.model.Access;
import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServerRequest;
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
 * addresses and send only to the snapshot and catch-up addresses, and only inside the read grants of
 * the token its frames carry ({@code headers: {"Authorization": "Bearer …"}}, see {@link BridgeAccess});
 * each frame is checked before anything is registered or written. A refused REGISTER gets an err frame
 * and nothing else, ever.
 */
public final class Bridge {

  public static final String PATH = "/eventbus";
  private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
  private static final Set<String> INBOUND = Set.of(Addresses.SNAPSHOT, Addresses.CHANGES);
  /** Frames a client may have waiting while its token is being verified. */
  private static final int MAX_WAITING_FRAMES = 256;
  private static final String HOW_TO_AUTHENTICATE =
      "send a token in the frame's headers: {\"headers\": {\"Authorization\": \"Bearer <token>\"}}";

  private final Vertx vertx;
  private final BridgeSettings settings;
  private final BridgeStats stats;
  private final Fanout fanout;
  private final Set<BridgeSession> sessions = new LinkedHashSet<>();
  private final BridgeAccess access;
  private final RateLimits limits;
  private final long recheckMillis;
  private NetServer tcp;
  private long idleTimer;
  private long recheckTimer;

  public Bridge(Vertx vertx, BridgeSettings settings, Authenticator authenticator, RateLimits limits, AuthSettings auth) {
    this.vertx = vertx;
    this.settings = settings;
    this.stats = BridgeStats.of(vertx);
    this.fanout = new Fanout(vertx, stats);
    this.access = new BridgeAccess(authenticator, limits, settings.environments());
    this.limits = limits;
    this.recheckMillis = auth.bridgeRecheckMillis();
  }

  /** Mounts the WebSocket and SockJS transports; the raw WebSocket route comes first. */
  public void mount(Router router) {
    router.route(PATH + "/websocket").handler(ctx -> {
      String authorization = ctx.request().getHeader("Authorization");
      ctx.request().toWebSocket()
          .onSuccess(ws -> accept(new WebSocketSession(ws, settings, authorization)))
          .onFailure(failure -> LOG.debug("WebSocket upgrade failed: {}", failure.getMessage()));
    });
    SockJSHandlerOptions options = new SockJSHandlerOptions().setRegisterWriteHandler(false)
        .setInsertJSESSIONID(false);
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, options)
        .socketHandler(socket -> accept(new SockJsSession(socket, settings))));
    long period = Math.max(1000, settings.idleTimeoutSeconds() * 500L);
    idleTimer = vertx.setPeriodic(period, id -> closeIdle());
    recheckTimer = vertx.setPeriodic(Math.max(50, recheckMillis), id -> recheckAll());
  }

  /**
   * Streams the changes of {@code env}/{@code prefix} after {@code since} as Server-Sent Events on this request's
   * response ({@link SseSession}). The API has authenticated the principal and checked its read grant; the stream is
   * then a bridge session like the others: subscribed through the fan-out, closed when slow, its token checked again.
   */
  public void watch(HttpServerRequest request, Principal principal, String authorization, String env, KeyPrefix prefix,
                    long since) {
    SseSession session = new SseSession(vertx, request, env, prefix.value(), since, settings, stats);
    session.principal = principal;
    session.authorization = authorization;
    accept(session);
    String address = Addresses.change(env, prefix.value());
    session.addresses.add(address);
    stats.subscriptions.increment();
    fanout.add(address, session);
    session.start();
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
    vertx.cancelTimer(recheckTimer);
    disconnectAll();
    return tcp == null ? Future.succeededFuture() : tcp.close();
  }

  /**
   * Checks every socket's credential again: an expired or revoked token loses its principal and its
   * subscriptions. Runs periodically, and at once when a token is revoked.
   */
  public void recheckAll() {
    for (BridgeSession session : List.copyOf(sessions)) {
      if (session.principal != null) {
        inOrder(session, () -> access.recheck(session).map(reason -> {
          if (reason != null) {
            dropOutsideGrants(session, "auth_error", reason, true);
          }
          return null;
        }));
      }
    }
  }

  private void accept(BridgeSession session) {
    session.refusals = limits.bridgeRefusals();
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
    String upgrade = session.upgradeAuthorization();
    if (upgrade != null) {
      inOrder(session, () -> access.authenticate(session, upgrade, this::principalChanged).map(refusal -> {
        if (refusal != null) {
          refuseAuthentication(session, null, refusal);
        }
        return null;
      }));
    }
  }

  /** Runs {@code step} after every earlier frame of the session: frames are handled in the order they came. */
  private void inOrder(BridgeSession session, java.util.function.Supplier<Future<Void>> step) {
    session.waitingFrames++;
    session.frames = session.frames.transform(earlier -> session.closed ? Future.<Void>succeededFuture() : step.get())
        .onComplete(done -> session.waitingFrames--);
  }

  private void onFrame(BridgeSession session, String text) {
    session.lastSeen = System.nanoTime();
    if (text.length() > settings.maxFrameBytes()) {
      refuse(session, "frame_too_large", "frames are limited to " + settings.maxFrameBytes() + " bytes");
      session.close();
      return;
    }
    if (session.waitingFrames >= MAX_WAITING_FRAMES) {
      refuse(session, "too_many_requests", "more than " + MAX_WAITING_FRAMES + " frames wait for a token check");
      session.close();
      return;
    }
    inOrder(session, () -> handle(session, text));
  }

  private Future<Void> handle(BridgeSession session, String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      invalid(session, "the frame is not a JSON object");
      return Future.succeededFuture();
    }
    String authorization = BridgeAccess.authorization(frame);
    if (authorization == null) {
      dispatch(session, frame);
      return Future.succeededFuture();
    }
    return access.authenticate(session, authorization, this::principalChanged).map(refusal -> {
      if (refusal == null) {
        dispatch(session, frame);
      } else {
        refuseAuthentication(session, frame, refusal);
      }
      return null;
    });
  }

  private void dispatch(BridgeSession session, JsonObject frame) {
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
      case "publish" -> refused(session, "access_denied", "clients may not publish");
      default -> invalid(session, "unknown frame type '" + type + "'");
    }
  }

  private void register(BridgeSession session, Object address) {
    if (!(address instanceof String target) || !validAddressLength(session, target)) {
      return;
    }
    BridgeAccess.Target allowed = access.target(target);
    if (allowed == null) {
      refused(session, "access_denied", "clients may only register on config.<environment>[.<key prefix>]");
      return;
    }
    Principal principal = access.current(session);
    if (principal == null) {
      refused(session, "not_logged_in", HOW_TO_AUTHENTICATE);
      return;
    }
    if (!principal.mayAll(Access.READ, allowed.env(), allowed.path())) {
      refused(session, "access_denied", "'" + principal.name() + "' may not read every key of " + target
          + "; register on an address inside its read grants");
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
      refused(session, "access_denied", "clients may only send to " + String.join(" and ", INBOUND));
      return;
    }
    Object replyAddress = frame.getValue("replyAddress");
    if (!(replyAddress instanceof String reply) || reply.isEmpty() || reply.length() > settings.maxAddressLength()) {
      invalid(session, "a send to " + target + " needs a replyAddress of at most " + settings.maxAddressLength() + " characters");
      return;
    }
    Principal principal = access.current(session);
    if (principal == null) {
      replyFailure(session, reply, Failure.UNAUTHORIZED.code(), "not_logged_in: " + HOW_TO_AUTHENTICATE);
      countRefusal(session);
      return;
    }
    JsonObject request;
    try {
      request = validRequest(target, frame.getValue("body"));
    } catch (ConfigdException e) {
      replyFailure(session, reply, e.failure().code(), e.getMessage());
      return;
    }
    if (!principal.mayAll(Access.READ, request.getString("env"), request.getString("prefix"))) {
      String prefix = request.getString("prefix");
      replyFailure(session, reply, Failure.FORBIDDEN.code(), "access_denied: '" + principal.name()
          + "' lacks read access on " + request.getString("env") + ":" + (prefix.isEmpty() ? "(every key)" : prefix));
      countRefusal(session);
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

  /** A refusal that counts against the socket: a client refused again and again is closed. */
  private void refused(BridgeSession session, String code, String detail) {
    refuse(session, code, detail);
    countRefusal(session);
  }

  private void countRefusal(BridgeSession session) {
    if (!session.closed && session.refusals.take() > 0) {
      LOG.info("Closing bridge client {}: too many refused frames", session.remote());
      refuse(session, "too_many_requests", "too many refused frames; the socket is closed");
      session.close();
    }
  }

  /** A frame whose token was refused: the refusal answers the frame's request, or stands alone. */
  private void refuseAuthentication(BridgeSession session, JsonObject frame, ConfigdException refusal) {
    String code = switch (refusal.failure()) {
      case UNAUTHORIZED -> "auth_error";
      case TOO_MANY_REQUESTS -> "too_many_requests";
      default -> "unavailable";
    };
    String reply = frame != null && "send".equals(frame.getValue("type")) && frame.getValue("replyAddress") instanceof String r
        && !r.isEmpty() && r.length() <= settings.maxAddressLength() ? r : null;
    if (reply != null) {
      replyFailure(session, reply, refusal.failure().code(), code + ": " + refusal.getMessage());
    } else {
      refuse(session, code, refusal.getMessage());
    }
    if (refusal.failure() == Failure.TOO_MANY_REQUESTS) {
      LOG.info("Closing bridge client {}: too many failed authentications", session.remote());
      session.close();
    } else if (refusal.failure() == Failure.UNAUTHORIZED) {
      countRefusal(session);
    }
  }

  /** After the principal changed: the subscriptions it may not receive are dropped, and the client told which. */
  private void principalChanged(BridgeSession session) {
    dropOutsideGrants(session, "access_denied", "the new token does not cover them", false);
  }

  /** @param tellAnyway whether to write the refusal even when no subscription had to go */
  private void dropOutsideGrants(BridgeSession session, String code, String why, boolean tellAnyway) {
    List<String> outside = access.outsideGrants(session);
    if (outside.isEmpty()) {
      if (tellAnyway) {
        refuse(session, code, why);
      }
      return;
    }
    for (String address : outside) {
      session.addresses.remove(address);
      stats.subscriptions.decrement();
      fanout.remove(address, session);
    }
    refuse(session, code, why + "; subscriptions dropped: " + String.join(", ", outside));
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
