package io.configd.bridge;

import io.configd.auth.TokenBucket;
import io.configd.instances.InstanceBook;
import io.configd.model.Addresses;
import io.configd.model.Instance;
import io.configd.model.InstanceAck;
import io.configd.model.Principal;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sockets of one API verticle instance and what the bridge knows of each: its principal, its subscriptions (kept
 * in step with the {@link Fanout}), its frames waiting in order, its counters. The one owner of that state: the other
 * classes of the bridge ask it and tell it, never change a session themselves. Runs on the instance's event loop.
 */
final class SessionRegistry {

  enum Subscribed { ADDED, ALREADY, FULL }

  /** One session's state; changed only by the registry. */
  private static final class State {
    final Set<String> addresses = new HashSet<>();
    final TokenBucket refusals;
    long lastSeen = System.nanoTime();
    int invalidFrames;
    /** Who the client is: set by the first frame (or upgrade request) that carries a valid token, replaced by the next. */
    Principal principal;
    /** The Authorization value the principal came from, kept in memory only to check it again (revocation). */
    String authorization;
    /** Frames wait here, in order, while a token is being verified. */
    Future<Void> frames = Future.succeededFuture();
    int waitingFrames;
    /** The session's share of its instance in the node's book, once it named one. */
    InstanceBook.Connection instance;

    State(TokenBucket refusals) {
      this.refusals = refusals;
    }
  }

  private final Map<BridgeSession, State> sessions = new LinkedHashMap<>();
  private final Fanout fanout;
  private final BridgeStats stats;
  private final InstanceBook book;

  SessionRegistry(Fanout fanout, BridgeStats stats, InstanceBook book) {
    this.fanout = fanout;
    this.stats = stats;
    this.book = book;
  }

  /** @param refusals the bucket of this socket's refused frames: a client refused again and again is closed */
  void add(BridgeSession session, TokenBucket refusals) {
    sessions.put(session, new State(refusals));
    stats.connected.increment();
    stats.connected(session.transport()).increment();
  }

  /** The socket closed: its subscriptions go. */
  void remove(BridgeSession session) {
    State state = sessions.remove(session);
    if (state != null) {
      session.markClosed();
      stats.connected.decrement();
      stats.connected(session.transport()).decrement();
      stats.subscriptions.add(-state.addresses.size());
      state.addresses.forEach(address -> fanout.remove(address, session));
      state.addresses.clear();
      if (state.instance != null) {
        state.instance.close();
      }
    }
  }

  List<BridgeSession> all() {
    return List.copyOf(sessions.keySet());
  }

  /** Runs {@code step} after every earlier frame of the session: frames are handled in the order they came. */
  void inOrder(BridgeSession session, Supplier<Future<Void>> step) {
    State state = sessions.get(session);
    if (state == null) {
      return;
    }
    state.waitingFrames++;
    state.frames = state.frames.transform(earlier -> session.closed() ? Future.<Void>succeededFuture() : step.get())
        .onComplete(done -> state.waitingFrames--);
  }

  int waitingFrames(BridgeSession session) {
    State state = sessions.get(session);
    return state == null ? 0 : state.waitingFrames;
  }

  void seen(BridgeSession session) {
    State state = sessions.get(session);
    if (state != null) {
      state.lastSeen = System.nanoTime();
    }
  }

  /** The sessions silent for longer than {@code nanos}. */
  List<BridgeSession> idleFor(long nanos) {
    long now = System.nanoTime();
    return sessions.entrySet().stream().filter(entry -> now - entry.getValue().lastSeen > nanos)
        .map(Map.Entry::getKey).toList();
  }

  /** Counts an invalid frame; returns how many the session has sent. */
  int invalidFrame(BridgeSession session) {
    State state = sessions.get(session);
    return state == null ? 0 : ++state.invalidFrames;
  }

  /** Counts a refused frame; true when the session is over its refusals and must be closed. */
  boolean refusedTooOften(BridgeSession session) {
    State state = sessions.get(session);
    return state != null && state.refusals.take() > 0;
  }

  // ---- who the client is

  /** The session's principal if it has one that has not expired (an expired one is forgotten). */
  Principal principal(BridgeSession session) {
    State state = sessions.get(session);
    if (state == null) {
      return null;
    }
    if (state.principal != null && state.principal.expired(Instant.now())) {
      state.principal = null;
      state.authorization = null;
    }
    return state.principal;
  }

  /** The Authorization value the session's principal came from; null without one. */
  String authorization(BridgeSession session) {
    State state = sessions.get(session);
    return state == null ? null : state.authorization;
  }

  /** True when the session has a principal, expired or not (an expired one still needs telling). */
  boolean hasPrincipal(BridgeSession session) {
    State state = sessions.get(session);
    return state != null && state.principal != null;
  }

  void authenticated(BridgeSession session, Principal principal, String authorization) {
    State state = sessions.get(session);
    if (state != null) {
      state.principal = principal;
      state.authorization = authorization;
    }
  }

  void loggedOut(BridgeSession session) {
    authenticated(session, null, null);
  }

  // ---- which instance the client is

  /**
   * The session's client named its instance (a hello, a watch's parameters); a hello again with the same id replaces
   * its app and labels. The caller has checked that the id is the session's own, if it had one.
   */
  void identified(BridgeSession session, Instance instance) {
    State state = sessions.get(session);
    if (state == null) {
      return;
    }
    InstanceBook.Connection previous = state.instance;
    state.instance = book.connect(instance, session.transport());
    state.addresses.forEach(address -> watch(state.instance, address, true));
    if (previous != null) {
      previous.close();
    }
    session.identify(instance);
  }

  /** Records what the session's instance applied; false when the session has not named its instance. */
  boolean acked(BridgeSession session, InstanceAck ack) {
    State state = sessions.get(session);
    if (state == null || state.instance == null) {
      return false;
    }
    state.instance.ack(ack);
    return true;
  }

  String node() {
    return book.node();
  }

  /** config.&lt;env&gt;[.&lt;prefix&gt;] as the book's watch of env and prefix. */
  private static void watch(InstanceBook.Connection connection, String address, boolean add) {
    String rest = address.substring(Addresses.CHANGE_PREFIX.length());
    int dot = rest.indexOf('.');
    String env = dot < 0 ? rest : rest.substring(0, dot);
    String prefix = dot < 0 ? "" : rest.substring(dot + 1);
    if (add) {
      connection.watch(env, prefix);
    } else {
      connection.unwatch(env, prefix);
    }
  }

  // ---- what the client receives

  List<String> addresses(BridgeSession session) {
    State state = sessions.get(session);
    return state == null ? List.of() : state.addresses.stream().sorted().toList();
  }

  Subscribed subscribe(BridgeSession session, String address, int maxPerSession) {
    State state = sessions.get(session);
    if (state == null || state.addresses.contains(address)) {
      return Subscribed.ALREADY;
    }
    if (state.addresses.size() >= maxPerSession) {
      return Subscribed.FULL;
    }
    state.addresses.add(address);
    stats.subscriptions.increment();
    fanout.add(address, session);
    if (state.instance != null) {
      watch(state.instance, address, true);
    }
    return Subscribed.ADDED;
  }

  void unsubscribe(BridgeSession session, String address) {
    State state = sessions.get(session);
    if (state != null && state.addresses.remove(address)) {
      stats.subscriptions.decrement();
      fanout.remove(address, session);
      if (state.instance != null) {
        watch(state.instance, address, false);
      }
    }
  }
}
