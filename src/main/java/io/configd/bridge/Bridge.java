package io.configd.bridge;

import io.configd.auth.ClientAddresses;
import io.configd.auth.AuthSettings;
import io.configd.auth.Authenticator;
import io.configd.auth.RateLimits;
import io.configd.instances.InstanceBook;
import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Instance;
import io.configd.model.InstanceAck;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.configd.secrets.Secrets;
import io.configd.model.QueryRules;
import io.configd.store.Failures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.configd.tls.ServerCertificates;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-bus bridge of one API verticle instance: SockJS at /eventbus (the official JavaScript
 * client), raw WebSocket at /eventbus/websocket and TCP (the vertx-tcp-eventbus-bridge framing), all
 * speaking the Vert.x bridge protocol ({@link FrameCodec}). Deny by default: a client may register only on
 * config.&lt;env&gt; addresses and send only to the snapshot and catch-up addresses, and only inside the read
 * grants of the token its frames carry ({@link BridgeAuthorizer}); each frame is checked before anything is
 * registered or written. A refused REGISTER gets an err frame and nothing else, ever. The sockets and what is
 * known of them are the {@link SessionRegistry}'s.
 */
public final class Bridge {

  public static final String PATH = "/eventbus";
  private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
  private static final Set<String> INBOUND = Set.of(Addresses.SNAPSHOT, Addresses.CHANGES, Addresses.HELLO,
      Addresses.ACK);
  /** Frames a client may have waiting while its token is being verified. */
  private static final int MAX_WAITING_FRAMES = 256;

  private final Vertx vertx;
  private final BridgeSettings settings;
  private final SessionRegistry sessions;
  private final BridgeAuthorizer authorizer;
  private final RateLimits limits;
  private final BridgeStats stats;
  private final Secrets secrets;
  private final long recheckMillis;
  private final ClientAddresses addresses;
  private NetServer tcp;
  private long idleTimer;
  private long recheckTimer;

  /**
   * @param stats the node's bridge counters, shared by its API instances
   * @param book  the node's instances, which the sockets' hellos and acks are told to
   * @param addresses who the client of an HTTP transport's socket is behind the trusted proxies (rate limits count
   *                  by it); a TCP socket's client is its peer
   * @param secrets a secret is revealed to a socket whose principal has secret access, masked for the others
   */
  public Bridge(Vertx vertx, BridgeSettings settings, Authenticator authenticator, RateLimits limits, AuthSettings auth,
                BridgeStats stats, InstanceBook book, ClientAddresses addresses, Secrets secrets) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.settings = settings;
    this.stats = stats;
    this.secrets = secrets;
    this.sessions = new SessionRegistry(new Fanout(vertx, stats, settings.traceHops(), secrets,
        this::principal), stats, book);
    this.authorizer = new BridgeAuthorizer(authenticator, limits, settings.environments(), sessions,
        Math.max(0, auth.tokenCacheMillis() - auth.bridgeRecheckMillis()));
    this.limits = limits;
    this.recheckMillis = auth.bridgeRecheckMillis();
  }

  /** Mounts the WebSocket and SockJS transports; the raw WebSocket route comes first. */
  public void mount(Router router) {
    router.route(PATH + "/websocket").handler(ctx -> {
      String authorization = ctx.request().getHeader("Authorization");
      HttpConnection connection = ctx.request().connection();
      String client = addresses.of(ctx);
      ctx.request().toWebSocket()
          .onSuccess(ws -> accept(new WebSocketSession(ws, connection, settings, authorization), client))
          .onFailure(failure -> LOG.debug("WebSocket upgrade failed: {}", failure.getMessage()));
    });
    SockJSHandlerOptions options = new SockJSHandlerOptions().setRegisterWriteHandler(false)
        .setInsertJSESSIONID(false);
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, options)
        .socketHandler(socket -> accept(new SockJsSession(socket, settings),
            addresses.of(socket.remoteAddress(), socket.headers()))));
    long period = Math.max(1000, settings.idleTimeoutSeconds() * 500L);
    idleTimer = vertx.setPeriodic(period, id -> closeIdle());
    recheckTimer = vertx.setPeriodic(Math.max(50, recheckMillis), id -> recheckAll());
  }

  /**
   * Streams the changes of {@code env}/{@code prefix} after {@code since} as Server-Sent Events on this request's
   * response ({@link SseSession}). The API has authenticated the principal and checked its read grant; the stream is
   * then a bridge session like the others: subscribed through the fan-out, closed when slow, its token checked again.
   *
   * @param instance the instance the request named (its parameters or headers), or null for an anonymous watch
   */
  public void watch(HttpServerRequest request, Principal principal, String authorization, String env, KeyPrefix prefix,
                    long since, Instance instance) {
    SseSession session = new SseSession(vertx, request, env, prefix.value(), since, settings, stats,
        change -> secrets.forReader(change, principal));
    accept(session, addresses.of(request));
    sessions.authenticated(session, principal, authorization);
    if (instance != null) {
      sessions.identified(session, instance);
    }
    sessions.subscribe(session, Addresses.change(env, prefix.value()), settings.maxHandlersPerSocket());
    session.start(() -> sessions.seen(session));
  }

  /** Starts the TCP bridge, unless its port is -1; TLS only when {@code certificates} is not null. */
  public Future<Void> startTcp(ServerCertificates certificates) {
    if (settings.tcpPort() < 0) {
      return Future.succeededFuture();
    }
    NetServerOptions options = new NetServerOptions().setHost(settings.tcpHost()).setPort(settings.tcpPort())
        .setSendBufferSize(settings.sendBufferBytes());
    Future<Void> secured = certificates == null ? Future.succeededFuture() : certificates.configure(options);
    return secured.compose(v -> vertx.createNetServer(options)
        .connectHandler(socket -> accept(new TcpSession(socket, settings),
            socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress()))
        .listen())
        .onSuccess(server -> tcp = server)
        .mapEmpty();
  }

  /** New TLS options (a reloaded certificate) for the TCP bridge's next connections. */
  public Future<Void> updateSsl(ServerSSLOptions ssl) {
    return tcp == null ? Future.succeededFuture() : tcp.updateSSLOptions(ssl).mapEmpty();
  }

  public int tcpPort() {
    return tcp == null ? -1 : tcp.actualPort();
  }

  /** Closes every client socket of this instance (they reconnect elsewhere and catch up). */
  public void disconnectAll() {
    sessions.all().forEach(BridgeSession::close);
  }

  /**
   * The node is stopping: every client socket of this instance is closed as "going away" (WebSocket and SockJS close
   * code 1001), so that the clients reconnect to another node now rather than when this one is gone; the TCP bridge
   * stops listening.
   */
  public Future<Void> close() {
    vertx.cancelTimer(idleTimer);
    vertx.cancelTimer(recheckTimer);
    sessions.all().forEach(BridgeSession::goingAway);
    return tcp == null ? Future.succeededFuture() : tcp.close();
  }

  /**
   * Checks every socket's credential again: an expired or revoked token loses its principal and its
   * subscriptions. Runs periodically, and at once when a token is revoked.
   */
  public void recheckAll() {
    for (BridgeSession session : sessions.all()) {
      if (sessions.hasPrincipal(session)) {
        sessions.inOrder(session, () -> authorizer.recheck(session).map(decision -> {
          if (decision instanceof BridgeAuthorizer.Refused refused) {
            dropOutsideGrants(session, refused.code(), refused.detail(), true);
          }
          return null;
        }));
      }
    }
  }

  private void accept(BridgeSession session, String client) {
    session.client(client);
    sessions.add(session, limits.bridgeRefusals());
    session.listen(text -> onFrame(session, text), () -> sessions.remove(session));
    String upgrade = session.upgradeAuthorization();
    if (upgrade != null) {
      sessions.inOrder(session, () -> authenticate(session, upgrade, null).mapEmpty());
    }
  }

  private void onFrame(BridgeSession session, String text) {
    sessions.seen(session);
    if (text.length() > settings.maxFrameBytes()) {
      refuse(session, "frame_too_large", "frames are limited to " + settings.maxFrameBytes() + " bytes");
      session.close();
      return;
    }
    if (sessions.waitingFrames(session) >= MAX_WAITING_FRAMES) {
      refuse(session, "too_many_requests", "more than " + MAX_WAITING_FRAMES + " frames wait for a token check");
      session.close();
      return;
    }
    sessions.inOrder(session, () -> handle(session, FrameCodec.decode(text)));
  }

  private Future<Void> handle(BridgeSession session, Frame frame) {
    if (frame.authorization() == null) {
      dispatch(session, frame);
      return Future.succeededFuture();
    }
    return authenticate(session, frame.authorization(), frame).map(allowed -> {
      if (allowed) {
        dispatch(session, frame);
      }
      return null;
    });
  }

  /**
   * Authenticates the session with a token; when that changes its principal, the subscriptions the new one may not
   * receive go. A refusal answers the frame's request, or stands alone. Completes with whether the frame may go on.
   */
  private Future<Boolean> authenticate(BridgeSession session, String authorization, Frame frame) {
    return authorizer.authenticate(session, authorization).map(decision -> {
      if (decision instanceof BridgeAuthorizer.Unchanged) {
        return true;
      }
      if (decision instanceof BridgeAuthorizer.Refused refused) {
        if (refused.failure() == Failure.UNAUTHORIZED) { // the session lost its principal
          dropOutsideGrants(session, "access_denied", "the new token does not cover them", false);
        }
        refuseAuthentication(session, frame, refused);
        return false;
      }
      dropOutsideGrants(session, "access_denied", "the new token does not cover them", false);
      return true;
    });
  }

  private void dispatch(BridgeSession session, Frame frame) {
    if (frame instanceof Frame.Ping) {
      if (session.messageType().equals("message")) {
        session.send(FrameCodec.pong());
      }
    } else if (frame instanceof Frame.Register register) {
      register(session, register.address());
    } else if (frame instanceof Frame.Unregister unregister) {
      if (unregister.address() == null) {
        invalid(session, "an unregister needs an 'address' string");
      } else {
        sessions.unsubscribe(session, unregister.address());
      }
    } else if (frame instanceof Frame.Send send) {
      send(session, send);
    } else if (frame instanceof Frame.Publish) {
      refused(session, "access_denied", "clients may not publish");
    } else if (frame instanceof Frame.Invalid invalid) {
      invalid(session, invalid.why());
    }
  }

  private void register(BridgeSession session, String address) {
    if (address == null) {
      invalid(session, "a register needs an 'address' string, e.g. config.production.services.payment");
      return;
    }
    if (!validAddressLength(session, address)) {
      return;
    }
    if (authorizer.register(session, address) instanceof BridgeAuthorizer.Refused refused) {
      refused(session, refused.code(), refused.detail());
      return;
    }
    if (sessions.subscribe(session, address, settings.maxHandlersPerSocket()) == SessionRegistry.Subscribed.FULL) {
      refused(session, "too_many_handlers", "at most " + settings.maxHandlersPerSocket() + " registrations per socket");
    }
  }

  private void send(BridgeSession session, Frame.Send frame) {
    String target = frame.address();
    if (target == null) {
      invalid(session, "a send needs an 'address' string: " + String.join(" or ", INBOUND));
      return;
    }
    if (!validAddressLength(session, target)) {
      return;
    }
    if (!INBOUND.contains(target)) {
      refused(session, "access_denied", "clients may only send to " + String.join(" and ", INBOUND));
      return;
    }
    String reply = frame.replyAddress();
    if (reply == null || reply.isEmpty() || reply.length() > settings.maxAddressLength()) {
      invalid(session, "a send to " + target + " needs a replyAddress of at most " + settings.maxAddressLength() + " characters");
      return;
    }
    if (sessions.principal(session) == null) {
      replyFailure(session, reply, Failure.UNAUTHORIZED.code(), "not_logged_in: " + BridgeAuthorizer.HOW_TO_AUTHENTICATE);
      countRefusal(session);
      return;
    }
    if (target.equals(Addresses.HELLO)) {
      hello(session, reply, frame.body());
      return;
    }
    if (target.equals(Addresses.ACK)) {
      ack(session, reply, frame.body());
      return;
    }
    JsonObject request;
    try {
      request = validRequest(target, frame.body());
    } catch (ConfigdException e) {
      replyFailure(session, reply, e.failure().code(), e.getMessage());
      return;
    }
    // a snapshot or catch-up answers with what this socket's instance runs: a rollout's value only where it targets it
    session.instance().ifPresent(instance -> request.put("instance", instance.toJson()));
    if (authorizer.read(session, request.getString("env"), request.getString("prefix"))
        instanceof BridgeAuthorizer.Refused refused) {
      replyFailure(session, reply, refused.failure().code(), refused.code() + ": " + refused.detail());
      countRefusal(session);
      return;
    }
    vertx.eventBus().<JsonObject>request(target, request,
            new DeliveryOptions().setSendTimeout(settings.requestTimeoutMillis()).setLocalOnly(true))
        .onSuccess(answer -> session.send(FrameCodec.reply(session.messageType(), reply,
            shown(answer.body(), sessions.principal(session)))))
        .onFailure(failure -> {
          ConfigdException problem = Failures.classify(failure);
          replyFailure(session, reply, problem.failure().code(), problem.getMessage());
        });
  }

  private Principal principal(BridgeSession session) {
    return sessions.principal(session);
  }

  /** A snapshot or catch-up answer with its secrets revealed or masked for the session's principal. */
  private JsonObject shown(JsonObject answer, Principal principal) {
    JsonArray items = answer.getJsonArray("items");
    return items == null ? answer : answer.copy().put("items", secrets.forReader(items, principal));
  }

  /**
   * The socket names its instance: {instance, app, labels}. Answered with the identity as the node keeps it and the
   * node's name. A socket is one instance: a hello with another id than its first is refused (409), one with the same
   * id replaces its app and labels.
   */
  private void hello(BridgeSession session, String reply, Object body) {
    Instance instance;
    try {
      instance = Instance.fromJson(body);
    } catch (ConfigdException e) {
      replyFailure(session, reply, e.failure().code(), e.getMessage());
      return;
    }
    String current = session.instance().map(Instance::id).orElse(null);
    if (current != null && !current.equals(instance.id())) {
      replyFailure(session, reply, Failure.CONFLICT.code(), "this socket is instance '" + current
          + "'; another instance needs its own socket");
      return;
    }
    sessions.identified(session, instance);
    session.send(FrameCodec.reply(session.messageType(), reply, instance.toJson().put("node", sessions.node())));
  }

  /**
   * What the socket's instance applied: {env, revision, keys, failures}. It must have said hello first (409), and may
   * acknowledge only keys its token reads (403): an ack cannot speak for keys the client cannot see.
   */
  private void ack(BridgeSession session, String reply, Object body) {
    InstanceAck ack;
    try {
      ack = InstanceAck.fromJson(body, settings.environments());
    } catch (ConfigdException e) {
      replyFailure(session, reply, e.failure().code(), e.getMessage());
      return;
    }
    if (session.instance().isEmpty()) {
      replyFailure(session, reply, Failure.CONFLICT.code(), "this socket has not named its instance: send "
          + Addresses.HELLO + " {instance, app, labels} before an ack");
      return;
    }
    for (String key : ack.keys().keySet()) {
      if (authorizer.read(session, ack.env(), key) instanceof BridgeAuthorizer.Refused refused) {
        replyFailure(session, reply, refused.failure().code(), refused.code() + ": " + refused.detail());
        countRefusal(session);
        return;
      }
    }
    sessions.acked(session, ack);
    session.send(FrameCodec.reply(session.messageType(), reply, new JsonObject().put("env", ack.env())
        .put("revision", ack.revision())));
  }

  /**
   * Validates a snapshot {env, prefix, after} or catch-up {env, prefix, since, limit} request at the edge, with the
   * rules of the HTTP API (a limit outside 1 to 1000 is refused, not clamped).
   */
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
      request.put("since", QueryRules.since(json.getValue("since")));
      request.put("limit", QueryRules.limit(json.getValue("limit"), QueryRules.MAX_LIMIT));
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
    int invalidFrames = sessions.invalidFrame(session);
    refuse(session, "invalid_frame", why);
    if (invalidFrames >= settings.maxInvalidFrames()) {
      LOG.info("Closing bridge client {} after {} invalid frames", session.remote(), invalidFrames);
      session.close();
    }
  }

  /** A refusal that counts against the socket: a client refused again and again is closed. */
  private void refused(BridgeSession session, String code, String detail) {
    refuse(session, code, detail);
    countRefusal(session);
  }

  private void countRefusal(BridgeSession session) {
    if (!session.closed() && sessions.refusedTooOften(session)) {
      LOG.info("Closing bridge client {}: too many refused frames", session.remote());
      refuse(session, "too_many_requests", "too many refused frames; the socket is closed");
      session.close();
    }
  }

  /** A frame whose token was refused: the refusal answers the frame's request, or stands alone. */
  private void refuseAuthentication(BridgeSession session, Frame frame, BridgeAuthorizer.Refused refusal) {
    String reply = frame instanceof Frame.Send send && send.replyAddress() != null && !send.replyAddress().isEmpty()
        && send.replyAddress().length() <= settings.maxAddressLength() ? send.replyAddress() : null;
    if (reply != null) {
      replyFailure(session, reply, refusal.failure().code(), refusal.code() + ": " + refusal.detail());
    } else {
      refuse(session, refusal.code(), refusal.detail());
    }
    if (refusal.failure() == Failure.TOO_MANY_REQUESTS) {
      LOG.info("Closing bridge client {}: too many failed authentications", session.remote());
      session.close();
    } else if (refusal.failure() == Failure.UNAUTHORIZED) {
      countRefusal(session);
    }
  }

  /** @param tellAnyway whether to write the refusal even when no subscription had to go */
  private void dropOutsideGrants(BridgeSession session, String code, String why, boolean tellAnyway) {
    List<String> outside = authorizer.outsideGrants(session);
    if (outside.isEmpty()) {
      if (tellAnyway) {
        refuse(session, code, why);
      }
      return;
    }
    outside.forEach(address -> sessions.unsubscribe(session, address));
    refuse(session, code, why + "; subscriptions dropped: " + String.join(", ", outside));
  }

  private void refuse(BridgeSession session, String code, String detail) {
    stats.refused.increment();
    session.send(FrameCodec.refusal(code, detail));
  }

  private void replyFailure(BridgeSession session, String reply, int code, String message) {
    session.send(FrameCodec.failedReply(reply, code, message));
  }

  private void closeIdle() {
    for (BridgeSession session : sessions.idleFor(TimeUnit.SECONDS.toNanos(settings.idleTimeoutSeconds()))) {
      LOG.debug("Closing idle bridge client {}", session.remote());
      session.close();
    }
  }
}
