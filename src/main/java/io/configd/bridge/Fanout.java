package io.configd.bridge;

import io.configd.model.ConfigKey;
import io.configd.model.Principal;
import io.configd.secrets.Secrets;
import io.configd.model.ConfigValue;
import io.configd.model.Targeting;
import io.configd.stream.HopTrace;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.configd.model.Addresses;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions of the sockets held by one API verticle instance, indexed by address. One local
 * event-bus consumer per address with subscribers (never one per socket, never in the cluster's
 * map); a change is encoded once per address and the same frame is written to every socket, on
 * this instance's event loop. A socket whose write queue is full is aborted (no close handshake, which
 * would wait behind the queue): it reconnects and catches up by revision instead of growing the server's memory.
 */
final class Fanout {

  private static final Logger LOG = LoggerFactory.getLogger(Fanout.class);

  private final Vertx vertx;
  private final Map<String, Subscribers> byAddress = new HashMap<>();
  private final BridgeStats stats;
  private final boolean traceHops;
  private final Secrets secrets;
  private final Function<BridgeSession, Principal> principals;
  private MessageConsumer<JsonObject> txnConsumer;

  /** @param principals who each session is: a secret's change is revealed to a principal with secret access only */
  Fanout(Vertx vertx, BridgeStats stats, boolean traceHops, Secrets secrets,
         Function<BridgeSession, Principal> principals) {
    this.vertx = vertx;
    this.stats = stats;
    this.traceHops = traceHops;
    this.secrets = secrets;
    this.principals = principals;
  }

  void add(String address, BridgeSession session) {
    if (txnConsumer == null) {
      txnConsumer = vertx.eventBus().<JsonObject>localConsumer(Addresses.TXN_RELEASED,
          message -> deliverTxn(message.body().getJsonArray("changes"), trace(message.headers().get(HopTrace.HEADER))));
    }
    byAddress.computeIfAbsent(address, this::subscribe).sessions.add(session);
  }

  void remove(String address, BridgeSession session) {
    Subscribers subscribers = byAddress.get(address);
    if (subscribers != null && subscribers.sessions.remove(session) && subscribers.sessions.isEmpty()) {
      byAddress.remove(address);
      subscribers.consumer.unregister();
    }
  }

  private Subscribers subscribe(String address) {
    Subscribers subscribers = new Subscribers();
    subscribers.consumer = vertx.eventBus().<JsonObject>localConsumer(address,
        message -> deliver(address, message.body(), trace(message.headers().get(HopTrace.HEADER)), subscribers));
    return subscribers;
  }

  /** The propagation's stamps and this write's, when frames carry the change path's times; else null. */
  private String trace(String released) {
    return traceHops && released != null ? released + ',' + HopTrace.nowMicros() : null;
  }

  private void deliver(String address, JsonObject change, String trace, Subscribers subscribers) {
    if (change.containsKey("txn")) {
      return; // the whole transaction comes at once, right after its last change ({@link #deliverTxn})
    }
    if (change.containsKey("sealed")) {
      deliverSecret(address, change, trace, subscribers);
      return;
    }
    String body = change.encode();
    String rec = null;
    String tcp = null;
    boolean written = false;
    // a rollout's change reaches only the instances it targets (decided once per socket, the frame encoded once)
    ConfigValue.Rollout rollout = rolloutOf(change);
    Targeting targeting = rollout == null ? null : rollout.targeting();
    String key = change.getString("key");
    for (BridgeSession session : List.copyOf(subscribers.sessions)) {
      if (session.closed()) {
        continue;
      }
      if (targeting != null && !targeted(session, key, targeting)) {
        continue;
      }
      if (session.writeQueueFull()) {
        LOG.info("Aborting slow bridge client {}: its write queue is full (it will reconnect and catch up)", session.remote());
        stats.slowClosed.increment();
        session.abort(); // a close frame would wait behind the full queue

        continue;
      }
      String frame;
      if (session.messageType().equals("rec")) {
        frame = rec != null ? rec : (rec = FrameCodec.message("rec", address, trace, body));
      } else {
        frame = tcp != null ? tcp : (tcp = FrameCodec.message("message", address, trace, body));
      }
      session.write(frame);
      stats.delivered.increment();
      written = true;
    }
    if (written) {
      stats.written(change);
    }
  }

  /**
   * A secret's change: opened once for the sessions whose principal has secret access on the key, masked for the
   * others; each form encoded once.
   */
  private void deliverSecret(String address, JsonObject change, String trace, Subscribers subscribers) {
    ConfigKey key = ConfigKey.parse(change.getString("key"));
    String env = change.getString("env");
    String[] frames = new String[4]; // [revealed?][rec?]
    JsonObject[] bodies = new JsonObject[2];
    boolean written = false;
    for (BridgeSession session : List.copyOf(subscribers.sessions)) {
      if (session.closed()) {
        continue;
      }
      if (session.writeQueueFull()) {
        LOG.info("Aborting slow bridge client {}: its write queue is full (it will reconnect and catch up)", session.remote());
        stats.slowClosed.increment();
        session.abort();
        continue;
      }
      Principal principal = principals.apply(session);
      int revealed = Secrets.maySee(principal, env, key) ? 1 : 0;
      boolean rec = session.messageType().equals("rec");
      int slot = revealed * 2 + (rec ? 1 : 0);
      if (frames[slot] == null) {
        if (bodies[revealed] == null) {
          bodies[revealed] = revealed == 1 ? secrets.forReader(change, principal) : Secrets.masked(change);
        }
        frames[slot] = FrameCodec.message(rec ? "rec" : "message", address, trace, bodies[revealed].encode());
      }
      session.write(frames[slot]);
      stats.delivered.increment();
      written = true;
    }
    if (written) {
      stats.written(change);
    }
  }

  /**
   * A transaction's changes, to every socket registered at an address of one of them: each socket gets its part back
   * to back, each frame's {@code txn.count} saying how many frames of the transaction it gets (over all its addresses),
   * so that a client applies the transaction once it holds them all. A socket whose write queue is full is aborted.
   */
  private void deliverTxn(JsonArray changes, String trace) {
    Map<BridgeSession, List<Part>> parts = new LinkedHashMap<>();
    for (int i = 0; i < changes.size(); i++) {
      JsonObject change = changes.getJsonObject(i);
      String env = change.getString("env");
      ConfigKey key = ConfigKey.parse(change.getString("key"));
      ConfigValue.Rollout rollout = rolloutOf(change);
      Targeting targeting = rollout == null ? null : rollout.targeting();
      List<String> paths = new ArrayList<>(key.selfAndAncestors());
      paths.add("");
      for (String path : paths) {
        String address = Addresses.change(env, path);
        Subscribers subscribers = byAddress.get(address);
        if (subscribers == null) {
          continue;
        }
        for (BridgeSession session : subscribers.sessions) {
          if (!session.closed() && (targeting == null || targeted(session, key.value(), targeting))) {
            parts.computeIfAbsent(session, s -> new ArrayList<>()).add(new Part(address, change, key));
          }
        }
      }
    }
    Map<String, String> bodies = new HashMap<>(); // one encoding per change, form and count
    Set<JsonObject> written = new HashSet<>();
    parts.forEach((session, frames) -> {
      if (session.closed()) {
        return;
      }
      if (session.writeQueueFull()) {
        LOG.info("Aborting slow bridge client {}: its write queue is full (it will reconnect and catch up)", session.remote());
        stats.slowClosed.increment();
        session.abort();
        return;
      }
      int count = frames.size();
      for (Part part : frames) {
        JsonObject change = part.change();
        boolean secret = change.containsKey("sealed");
        Principal principal = secret ? principals.apply(session) : null;
        boolean revealed = secret && Secrets.maySee(principal, change.getString("env"), part.key());
        String body = bodies.computeIfAbsent(change.getLong("revision") + "/" + secret + revealed + "/" + count, id -> {
          JsonObject shown = !secret ? change.copy()
              : revealed ? secrets.forReader(change, principal) : Secrets.masked(change);
          shown.put("txn", change.getJsonObject("txn").copy().put("count", count));
          return shown.encode();
        });
        session.write(FrameCodec.message(session.messageType().equals("rec") ? "rec" : "message", part.address(), trace,
            body));
        stats.delivered.increment();
        written.add(change);
      }
    });
    written.forEach(stats::written);
  }

  private record Part(String address, JsonObject change, ConfigKey key) {
  }

  /** The rollout a change message belongs to, or null for a released version (or an unreadable member). */
  private static ConfigValue.Rollout rolloutOf(JsonObject change) {
    JsonObject rollout = change.getJsonObject("rollout");
    if (rollout == null) {
      return null;
    }
    return ConfigValue.fromJson(change).rollout();
  }

  /** Whether the socket's instance is one the targeting names; an anonymous socket gets released values only. */
  private static boolean targeted(BridgeSession session, String key, Targeting targeting) {
    return session.instance().map(instance -> targeting.matches(key, instance.id(), instance.labels())).orElse(false);
  }

  private static final class Subscribers {
    final Set<BridgeSession> sessions = new LinkedHashSet<>();
    MessageConsumer<JsonObject> consumer;
  }
}
