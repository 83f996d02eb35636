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
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
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

  /**
   * One change at one address: every socket registered there (and targeted, for a rollout's change) gets its frame,
   * encoded once per form ({@link Part}).
   */
  private void deliver(String address, JsonObject change, String trace, Subscribers subscribers) {
    if (change.containsKey("txn")) {
      return; // the whole transaction comes at once, right after its last change ({@link #deliverTxn})
    }
    String key = change.getString("key");
    Targeting targeting = targetingOf(change);
    // only a secret's frame needs the key parsed (who may see it); a released value's frame is the message as it came
    List<Part> frames = List.of(new Part(address, change,
        change.containsKey("sealed") ? ConfigKey.parse(key) : null));
    Release release = new Release(trace);
    for (BridgeSession session : List.copyOf(subscribers.sessions)) {
      if (targeting == null || targeted(session, key, targeting)) {
        release.write(session, frames, 0);
      }
    }
    release.done();
  }

  /**
   * A transaction's changes, to every socket registered at an address of one of them: each socket gets its part back
   * to back in one write, each frame's {@code txn.count} saying how many frames of the transaction it gets (over all
   * its addresses), so that a client applies the transaction once it holds them all.
   */
  private void deliverTxn(JsonArray changes, String trace) {
    Map<BridgeSession, List<Part>> parts = new LinkedHashMap<>();
    for (int i = 0; i < changes.size(); i++) {
      JsonObject change = changes.getJsonObject(i);
      String env = change.getString("env");
      ConfigKey key = ConfigKey.parse(change.getString("key"));
      Targeting targeting = targetingOf(change);
      List<String> paths = new ArrayList<>(key.selfAndAncestors());
      paths.add("");
      for (String path : paths) {
        String address = Addresses.change(env, path);
        Subscribers subscribers = byAddress.get(address);
        if (subscribers == null) {
          continue;
        }
        Part part = new Part(address, change, key);
        for (BridgeSession session : subscribers.sessions) {
          if (!session.closed() && (targeting == null || targeted(session, key.value(), targeting))) {
            parts.computeIfAbsent(session, s -> new ArrayList<>()).add(part);
          }
        }
      }
    }
    Release release = new Release(trace);
    parts.forEach((session, frames) -> release.write(session, frames, frames.size()));
    release.done();
  }

  /**
   * What one release (a change at an address, or a transaction) writes: each socket's frames in one write; a secret's
   * change opened for the sockets whose principal has secret access on its key and masked for the others, each body
   * encoded once per form and count.
   */
  private final class Release {
    private final String trace;
    private final Map<String, String> bodies = new HashMap<>();
    /** The changes written (to at least one socket), by identity: one JsonObject per change of the release. */
    private final Set<JsonObject> written = Collections.newSetFromMap(new IdentityHashMap<>());

    Release(String trace) {
      this.trace = trace;
    }

    /** {@code count}: a transaction's frames for this socket (its frames say so), 0 for a change of its own. */
    void write(BridgeSession session, List<Part> parts, int count) {
      if (session.closed()) {
        return;
      }
      if (session.writeQueueFull()) {
        LOG.info("Aborting slow bridge client {}: its write queue is full (it will reconnect and catch up)", session.remote());
        stats.slowClosed.increment();
        session.abort(); // a close frame would wait behind the full queue
        return;
      }
      boolean rec = session.messageType().equals("rec");
      List<String> frames = new ArrayList<>(parts.size());
      for (Part part : parts) {
        frames.add(part.frame(session, rec, count, this));
        written.add(part.change());
      }
      session.writeAll(frames);
      stats.delivered.add(frames.size());
    }

    String body(JsonObject change, Form form, int count, Principal principal) {
      return bodies.computeIfAbsent(change.getLong("revision") + "/" + form + "/" + count, id -> {
        JsonObject shown = switch (form) {
          case PLAIN -> count == 0 ? change : change.copy();
          case REVEALED -> secrets.forReader(change, principal);
          case MASKED -> Secrets.masked(change);
        };
        if (count > 0) {
          shown.put("txn", change.getJsonObject("txn").copy().put("count", count));
        }
        return shown.encode();
      });
    }

    void done() {
      written.forEach(stats::written);
    }
  }

  /** How a socket's principal sees a change: as it is, or a secret's opened or masked. */
  private enum Form { PLAIN, REVEALED, MASKED }

  /**
   * A change at one subscribed address, shared by the sockets registered there: each frame encoded once. {@code key}
   * is needed for a secret's change only (who may see it opened).
   */
  private final class Part {
    private final String address;
    private final JsonObject change;
    private final ConfigKey key;
    private final boolean secret;
    /** By form, frame type and count: most releases need one or two. */
    private final Map<Integer, String> frames = new HashMap<>(4);

    Part(String address, JsonObject change, ConfigKey key) {
      this.address = address;
      this.change = change;
      this.key = key;
      this.secret = change.containsKey("sealed");
    }

    JsonObject change() {
      return change;
    }

    String frame(BridgeSession session, boolean rec, int count, Release release) {
      Principal principal = secret ? principals.apply(session) : null;
      Form form = !secret ? Form.PLAIN : Secrets.maySee(principal, change.getString("env"), key) ? Form.REVEALED
          : Form.MASKED;
      Integer slot = (count * Form.values().length + form.ordinal()) * 2 + (rec ? 1 : 0);
      String frame = frames.get(slot);
      if (frame == null) { // get and put, not computeIfAbsent: no lambda allocated per socket on the hot path
        frame = FrameCodec.message(rec ? "rec" : "message", address, release.trace,
            release.body(change, form, count, principal));
        frames.put(slot, frame);
      }
      return frame;
    }
  }

  private static Targeting targetingOf(JsonObject change) {
    ConfigValue.Rollout rollout = rolloutOf(change);
    return rollout == null ? null : rollout.targeting();
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
