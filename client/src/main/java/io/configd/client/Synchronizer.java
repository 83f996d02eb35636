package io.configd.client;

import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the client's values in step with the nodes, on one context: restores the snapshot file, connects
 * to a node's bridge (else polls its HTTP API), registers before it asks for a snapshot or the changes since
 * its watermark, applies live changes, catches up periodically and after every reconnect, and reconnects with
 * backoff, rotating through the nodes.
 */
final class Synchronizer extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Synchronizer.class);

  /**
   * What the synchronizer is doing. One timer serves every phase ({@link #schedule}): the retry while WAITING, the
   * periodic catch-up on the BRIDGE, the polls (and the bridge probes) while POLLING, and the start deadline until
   * the values are loaded. {@link ConnectionState} is what readers on other threads see of it.
   */
  enum Phase {
    /** Trying a node: its bridge, then its HTTP API. */
    CONNECTING,
    /** The last attempt found no node: the next one is tried after the back-off. */
    WAITING,
    /** On a node's bridge: live changes, and a catch-up every syncInterval. */
    BRIDGE,
    /** On a node's HTTP API: a poll every pollInterval, and the bridge tried again every syncInterval. */
    POLLING,
    CLOSED
  }

  private final ClientSettings settings;
  private final LocalState state;
  private final Listeners listeners;
  private final Backoff backoff;
  private final Promise<Void> ready = Promise.promise();
  private volatile ConnectionState connection = ConnectionState.STARTING;
  private volatile NodeAddress connectedNode;
  private Phase phase = Phase.CONNECTING;
  private SnapshotFile file;
  private WebSocketClient webSockets;
  private HttpClient http;
  private BridgeConnection bridge;
  private HttpSource poller;
  private boolean fileLoaded;
  /** Live changes that arrived while a snapshot or catch-up was answering: applied after it, in arrival order. */
  private List<ConfigValue> held;
  /** The live changes of a transaction whose other frames are still coming on this connection. */
  private final TxnUnits liveUnits = new TxnUnits();
  /**
   * The {@code resumeAfter} of the newest live frame on this connection (Long.MAX_VALUE when it carried none): the
   * node gave up a revision that has not come since, so no watermark moves past it with live changes. Never going
   * back on one connection, it bounds the earlier frames too: what was outstanding for them and has come since
   * reached the client before this frame.
   */
  private long resumeAfter = Long.MAX_VALUE;
  /** The catch-up or poll in flight, and the bridge probe in flight: never two at once. */
  private Future<Void> catchingUp = Future.succeededFuture();
  private Future<Void> probing = Future.succeededFuture();
  private int attempt;
  private int nodeIndex;
  private long timer = -1;
  /** When the current phase's next action is due (System.nanoTime), and the next bridge probe while polling. */
  private long dueAt;
  private long probeAt;
  /** When start() gives up waiting for a node with no snapshot file to start from. */
  private long startDeadline;
  /** What this instance applied, told to the node; null when the client does not name its instance. */
  private Acks acks;

  Synchronizer(ClientSettings settings, LocalState state, Listeners listeners) {
    this.settings = settings;
    this.state = state;
    this.listeners = listeners;
    this.backoff = new Backoff(settings.backoffInitial(), settings.backoffMax(), settings.backoffJitter());
  }

  /** Completes once values are loaded from a node, or from the snapshot file when no node answers. */
  Future<Void> ready() {
    return ready.future();
  }

  ConnectionState connection() {
    return connection;
  }

  NodeAddress connectedNode() {
    return connectedNode;
  }

  @Override
  public Future<?> start() {
    webSockets = vertx.createWebSocketClient(settings.tls().applyTo(new WebSocketClientOptions().setMaxFrameSize(16 << 20)
        .setMaxMessageSize(256 << 20).setConnectTimeout((int) settings.requestTimeout().toMillis()).setVerifyHost(true)));
    http = vertx.createHttpClient(settings.tls().applyTo(new HttpClientOptions()
            .setConnectTimeout((int) settings.requestTimeout().toMillis()).setVerifyHost(true)),
        new PoolOptions().setHttp1MaxSize(2));
    if (settings.instance() != null) {
      acks = new Acks(vertx, state, settings.ackDelay().toMillis());
    }
    if (settings.snapshotFile() != null) {
      file = new SnapshotFile(vertx, settings.snapshotFile(), settings.snapshotDebounce(), this::fileContent);
    }
    Future<Void> restored = file == null ? Future.succeededFuture() : file.read().map(found -> {
      found.ifPresent(this::restore);
      return null;
    });
    return restored.onSuccess(v -> {
      startDeadline = System.nanoTime() + settings.startTimeout().toNanos();
      connect();
    });
  }

  @Override
  public Future<?> stop() {
    moveTo(Phase.CLOSED);
    ready.tryFail(new ConfigClientException("the client was closed before it loaded its values"));
    Future<Void> closed = bridge == null ? Future.succeededFuture() : bridge.close();
    return closed
        .eventually(() -> file == null ? Future.succeededFuture() : file.close().recover(failure -> Future.succeededFuture()))
        .eventually(() -> webSockets.close())
        .eventually(() -> http.close());
  }

  // ---- the phases and their one timer

  /** Enters a phase: what readers see of it, and when its next action is due. */
  private void moveTo(Phase next) {
    phase = next;
    long now = System.nanoTime();
    switch (next) {
      case WAITING -> {
        connection = ConnectionState.DISCONNECTED;
        connectedNode = null;
        dueAt = now + millis(backoff.delayMillis(attempt));
      }
      case BRIDGE -> {
        connection = ConnectionState.BRIDGE;
        dueAt = now + settings.syncInterval().toNanos();
      }
      case POLLING -> {
        connection = ConnectionState.HTTP_POLLING;
        dueAt = now + settings.pollInterval().toNanos();
        probeAt = now + settings.syncInterval().toNanos();
      }
      case CLOSED -> connection = ConnectionState.CLOSED;
      default -> { } // CONNECTING: readers keep seeing how things stood before the attempt
    }
    schedule();
  }

  /** Arms the one timer for the phase's next action, or the start deadline if that comes first. */
  private void schedule() {
    vertx.cancelTimer(timer);
    timer = -1;
    boolean waitsForAction = phase == Phase.WAITING || phase == Phase.BRIDGE || phase == Phase.POLLING;
    boolean waitsForStart = !ready.future().isComplete() && phase != Phase.CLOSED;
    if (!waitsForAction && !waitsForStart) {
      return;
    }
    long next = waitsForAction ? dueAt : Long.MAX_VALUE;
    if (phase == Phase.POLLING && settings.bridge()) {
      next = Math.min(next, probeAt);
    }
    if (waitsForStart) {
      next = Math.min(next, startDeadline);
    }
    long delayMillis = Math.max(1, (next - System.nanoTime()) / 1_000_000);
    timer = vertx.setTimer(delayMillis, id -> {
      timer = -1;
      tick();
    });
  }

  private void tick() {
    long now = System.nanoTime();
    if (!ready.future().isComplete() && now - startDeadline >= 0) {
      startDeadlinePassed();
    }
    switch (phase) {
      case WAITING -> {
        if (now - dueAt >= 0) {
          connect();
          return;
        }
      }
      case BRIDGE -> {
        if (now - dueAt >= 0) {
          dueAt = now + settings.syncInterval().toNanos();
          periodicSync();
        }
      }
      case POLLING -> {
        if (now - dueAt >= 0) {
          dueAt = now + settings.pollInterval().toNanos();
          poll();
        }
        if (phase == Phase.POLLING && settings.bridge() && now - probeAt >= 0) {
          probeAt = now + settings.syncInterval().toNanos();
          probeBridge();
        }
      }
      default -> { }
    }
    if (phase != Phase.CONNECTING) {
      schedule();
    }
  }

  private static long millis(long ms) {
    return ms * 1_000_000;
  }

  // ---- connecting

  private void connect() {
    if (phase == Phase.CLOSED) {
      return;
    }
    moveTo(Phase.CONNECTING);
    NodeAddress node = settings.nodes().get(Math.floorMod(nodeIndex, settings.nodes().size()));
    Future<Void> connected = settings.bridge()
        ? viaBridge(node).recover(failure -> {
          if (failure instanceof RejectedException) {
            return Future.failedFuture(failure);
          }
          if (attempt < settings.nodes().size()) {
            LOG.info("The bridge of {} cannot be reached ({}); trying its HTTP API", node, failure.getMessage());
          }
          return viaHttp(node);
        })
        : viaHttp(node);
    connected.onFailure(failure -> {
      if (phase == Phase.CLOSED) {
        return;
      }
      if (failure instanceof RejectedException && ready.tryFail(new ConfigClientException(failure.getMessage()))) {
        LOG.error("configd client cannot start: {}", failure.getMessage());
        return;
      }
      if (attempt < settings.nodes().size() || attempt % 20 == 0) {
        LOG.warn("No configd node answered at {} ({}); retrying", node, failure.getMessage());
      } else {
        LOG.debug("No configd node answered at {} ({}); retrying", node, failure.getMessage());
      }
      attempt++;
      nodeIndex++;
      moveTo(Phase.WAITING); // readers see DISCONNECTED before start() completes from the file
      if (attempt >= settings.nodes().size()) {
        startFromFile();
      }
    });
  }

  private Future<Void> viaBridge(NodeAddress node) {
    return BridgeConnection.open(vertx, webSockets, node, settings, this::live, this::refused)
        .onSuccess(conn -> resumeAfter = Long.MAX_VALUE) // another node, or the same started again: its frames say
        .compose(conn -> hello(conn)
            .compose(said -> registerAll(conn))
            .compose(registered -> syncAll(conn))
            .map(conn)
            .recover(failure -> conn.close().transform(closed -> Future.failedFuture(failure))))
        .onSuccess(conn -> {
          if (phase == Phase.CLOSED) {
            conn.close();
            return;
          }
          poller = null;
          liveUnits.clear();
          bridge = conn;
          connectedNode = node;
          if (acks != null) {
            acks.connected(conn);
          }
          conn.closed().onComplete(closed -> bridgeLost(conn));
          moveTo(Phase.BRIDGE);
          loaded("over the bridge of " + node);
        })
        .mapEmpty();
  }

  /** Names the instance first: the node then records every registration under it. */
  private Future<Void> hello(BridgeConnection conn) {
    return settings.instance() == null ? Future.succeededFuture() : conn.hello(settings.instance());
  }

  /** Counts a failure against the revision applied now (any thread). */
  void reportFailure() {
    if (acks != null && context != null) {
      context.runOnContext(v -> acks.failure());
    }
  }

  private Future<Void> registerAll(BridgeConnection conn) {
    return Future.all(settings.watches().stream().map(watch -> conn.register(watch.address())).toList()).mapEmpty();
  }

  private Future<Void> viaHttp(NodeAddress node) {
    HttpSource source = new HttpSource(http, node, settings);
    return source.health()
        .compose(up -> syncAll(source))
        .onSuccess(synced -> {
          if (phase == Phase.CLOSED) {
            return;
          }
          poller = source;
          connectedNode = node;
          if (acks != null) {
            acks.connected(source);
          }
          moveTo(Phase.POLLING);
          LOG.warn("Polling {} over HTTP every {} ms while its bridge cannot be reached", node,
              settings.pollInterval().toMillis());
          loaded("over HTTP from " + node);
        });
  }

  private void bridgeLost(BridgeConnection conn) {
    if (bridge != conn) {
      return;
    }
    bridge = null;
    liveUnits.clear();
    if (acks != null) {
      acks.lost(conn);
    }
    if (phase == Phase.CLOSED) {
      return;
    }
    LOG.warn("Lost the bridge connection to {}; reconnecting", conn.node());
    nodeIndex++;
    moveTo(Phase.WAITING);
  }

  private void refused(String message) {
    LOG.error("A configd node refused a subscription of this client: {}", message);
  }

  // ---- keeping up

  private void periodicSync() {
    BridgeConnection conn = bridge;
    if (conn == null || !catchingUp.isComplete()) {
      return;
    }
    catchingUp = syncAll(conn).onFailure(failure -> {
      LOG.warn("Catch-up from {} failed ({}); reconnecting", conn.node(), failure.getMessage());
      conn.close();
    });
  }

  private void poll() {
    HttpSource source = poller;
    if (source == null || !catchingUp.isComplete()) {
      return;
    }
    catchingUp = syncAll(source).onFailure(failure -> {
      if (poller != source || phase != Phase.POLLING) {
        return;
      }
      LOG.warn("Polling {} failed ({}); reconnecting", source.node(), failure.getMessage());
      poller = null;
      if (acks != null) {
        acks.lost(source);
      }
      nodeIndex++;
      moveTo(Phase.WAITING);
    });
  }

  /** While polling, tries the bridge again now and then, and goes back to it when it answers. */
  private void probeBridge() {
    HttpSource source = poller;
    if (source == null || !probing.isComplete()) {
      return;
    }
    probing = viaBridge(source.node())
        .onSuccess(v -> LOG.info("The bridge of {} answers again; stopped polling", source.node()))
        .onFailure(failure -> LOG.debug("The bridge of {} still cannot be reached: {}", source.node(), failure.getMessage()));
  }

  // ---- loading

  /**
   * Every watch in turn: the changes since its watermark, or a full snapshot when it has none yet. Live
   * changes wait until it is done, so that each key's versions are applied in order without a gap: a
   * live change applied first would make the older versions of the answer look like duplicates.
   */
  private Future<Void> syncAll(Source source) {
    if (held == null) {
      held = new ArrayList<>();
    }
    Caught caught = new Caught(new ArrayList<>(), new HashMap<>());
    Future<Void> chain = Future.succeededFuture();
    for (Watch watch : settings.watches()) {
      chain = chain.compose(v -> state.watermark(watch)
          .map(since -> catchUp(source, watch, since, caught))
          .orElseGet(() -> snapshot(source, watch, null, Long.MAX_VALUE)));
    }
    return chain
        .map(v -> applyCaught(caught))
        .recover(failure -> failure instanceof SnapshotRequiredException required
            ? resnapshot(source, required) : Future.failedFuture(failure))
        .onSuccess(v -> fileChanged()).onComplete(done -> {
          releaseHeld(done.succeeded());
          if (acks != null) {
            acks.moved();
          }
        });
  }

  /**
   * What the catch-ups of every watch answered, applied only once all of them have: a transaction may reach over
   * several watches, and is applied whole; then the watches' watermarks move.
   */
  private record Caught(List<ConfigValue> changes, Map<Watch, Long> marks) {
  }

  private Void applyCaught(Caught caught) {
    TxnUnits.ofPages(caught.changes()).forEach(this::apply);
    caught.marks().forEach(state::advance);
    return null;
  }

  /**
   * A change pushed over the bridge. A node releases changes in revision order, so once the connection is in step
   * (registered, then caught up), each live change also moves the watermark of the watches covering it, to its
   * revision or to the frame's {@code resumeAfter}, the lower.
   */
  private void live(ConfigValue change, Long framed) {
    resumeAfter = framed == null ? Long.MAX_VALUE : framed;
    if (held != null) {
      held.add(change);
      return;
    }
    for (List<ConfigValue> unit : liveUnits.add(change)) {
      apply(unit);
      if (bridge != null) {
        unit.forEach(applied -> state.advanceLive(applied, resumeAfter));
        if (acks != null) {
          acks.moved();
        }
      }
    }
  }

  /** After a catch-up: the changes that arrived meanwhile, in order; they move the watermarks only if it completed. */
  private void releaseHeld(boolean inStep) {
    List<ConfigValue> waiting = held;
    held = null;
    if (waiting != null) {
      for (ConfigValue change : waiting) {
        for (List<ConfigValue> unit : liveUnits.add(change)) {
          apply(unit);
          if (inStep) {
            unit.forEach(applied -> state.advanceLive(applied, resumeAfter));
          }
        }
      }
    }
  }

  private Future<Void> catchUp(Source source, Watch watch, long since, Caught caught) {
    return source.changes(watch, since).compose(page -> {
      sameEpoch(source, page.epoch());
      caught.changes().addAll(page.items());
      caught.marks().merge(watch, page.next(), Math::max);
      if (page.more() && page.next() <= since) {
        return Future.failedFuture(new ConfigClientException(source.node() + " answered a catch-up page that does not advance"));
      }
      return page.more() ? catchUp(source, watch, page.next(), caught) : Future.succeededFuture();
    });
  }

  /** Pages through the current values; the watch is complete up to the lowest revision of its pages. */
  private Future<Void> snapshot(Source source, Watch watch, String after, long revision) {
    return source.snapshot(watch, after).compose(page -> {
      sameEpoch(source, page.epoch());
      apply(page.items());
      long complete = Math.min(revision, page.revision());
      if (page.next() != null) {
        return snapshot(source, watch, page.next(), complete);
      }
      state.advance(watch, complete);
      return Future.succeededFuture();
    });
  }

  /**
   * The revisions of another epoch belong to another history (the database was restored): none of what the client
   * holds can be compared with them, so it takes a fresh snapshot. The first epoch a node tells is taken as it is.
   */
  private void sameEpoch(Source source, long epoch) {
    if (epoch == 0 || epoch == state.epoch()) {
      return;
    }
    if (state.epoch() != 0) {
      throw new SnapshotRequiredException(source.node() + " serves epoch " + epoch + ", the client holds values of epoch "
          + state.epoch() + " (the database was restored)", 0);
    }
    state.epoch(epoch);
  }

  /**
   * Every watch again from a fresh snapshot, which replaces what the client holds: after a restore (a new epoch) or
   * when the changes since a watermark were pruned. Listeners hear every value that changed and every key that is gone.
   */
  private Future<Void> resnapshot(Source source, SnapshotRequiredException reason) {
    LOG.warn("{}: taking a fresh snapshot of {}", reason.getMessage(), settings.watches());
    List<ConfigValue> fresh = new ArrayList<>();
    Map<Watch, Long> marks = new HashMap<>();
    long[] epoch = {0};
    Future<Void> chain = Future.succeededFuture();
    for (Watch watch : settings.watches()) {
      chain = chain.compose(v -> freshSnapshot(source, watch, null, Long.MAX_VALUE, fresh, marks, epoch));
    }
    return chain.map(v -> {
      listeners.fire(state.replace(epoch[0], fresh, marks));
      if (acks != null) {
        acks.everyKey();
      }
      LOG.info("Took a fresh snapshot of {} at epoch {}: {} values", settings.watches(), epoch[0], fresh.size());
      return null;
    });
  }

  private Future<Void> freshSnapshot(Source source, Watch watch, String after, long revision, List<ConfigValue> fresh,
                                     Map<Watch, Long> marks, long[] epoch) {
    return source.snapshot(watch, after).compose(page -> {
      if (epoch[0] != 0 && page.epoch() != epoch[0]) {
        return Future.failedFuture(new ConfigClientException(source.node() + " changed epochs during a snapshot"));
      }
      epoch[0] = page.epoch();
      page.items().stream().filter(watch::covers).forEach(fresh::add);
      long complete = Math.min(revision, page.revision());
      if (page.next() != null) {
        return freshSnapshot(source, watch, page.next(), complete, fresh, marks, epoch);
      }
      marks.put(watch, complete);
      return Future.succeededFuture();
    });
  }

  /** Applies changes together: readers and listeners see all of them or none. */
  private void apply(List<ConfigValue> changes) {
    List<ConfigValue> applied = state.apply(changes);
    if (applied.isEmpty()) {
      return;
    }
    listeners.fire(applied);
    fileChanged();
    if (acks != null) {
      applied.forEach(acks::applied);
    }
  }

  private void loaded(String how) {
    attempt = 0;
    if (ready.tryComplete()) {
      LOG.info("configd client loaded {} {}", settings.watches(), how);
    } else {
      LOG.info("configd client caught up {}", how);
    }
  }

  private void startFromFile() {
    if (fileLoaded && ready.tryComplete()) {
      LOG.warn("No configd node of {} answers; starting from the snapshot file {} and syncing when one does",
          settings.nodes(), settings.snapshotFile());
    }
  }

  private void startDeadlinePassed() {
    startFromFile();
    if (ready.tryFail(new ConfigClientException("no configd node of " + settings.nodes() + " answered within "
        + settings.startTimeout().toSeconds() + " s, and there is no snapshot file to start from"))) {
      LOG.error("configd client cannot start: no node of {} answered", settings.nodes());
    }
  }

  // ---- the snapshot file

  private void fileChanged() {
    if (file != null) {
      file.changed();
    }
  }

  private void restore(JsonObject json) {
    Map<Watch, Long> marks = new HashMap<>();
    List<ConfigValue> values = new ArrayList<>();
    try {
      for (Object item : json.getJsonArray("watches", new JsonArray())) {
        JsonObject saved = (JsonObject) item;
        Watch watch = new Watch(saved.getString("env"), saved.getString("prefix"));
        if (settings.watches().contains(watch)) {
          marks.put(watch, saved.getLong("revision"));
        }
      }
      for (Object item : json.getJsonArray("values", new JsonArray())) {
        ConfigValue change = ConfigValue.fromJson((JsonObject) item);
        if (marks.keySet().stream().anyMatch(watch -> watch.covers(change))) {
          values.add(change);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Ignoring the snapshot file {}: {}", settings.snapshotFile(), e.toString());
      return;
    }
    if (marks.isEmpty()) {
      return;
    }
    state.restore(values);
    marks.forEach(state::advance);
    state.epoch(json.getValue("epoch") instanceof Number epoch ? epoch.longValue() : 0);
    fileLoaded = true;
    LOG.info("Restored {} values from the snapshot file {} at revisions {}", values.size(), settings.snapshotFile(), marks);
  }

  /** The values of every watch whose watermark is known, and those watermarks. */
  private JsonObject fileContent() {
    JsonArray watches = new JsonArray();
    List<Watch> complete = new ArrayList<>();
    for (Watch watch : settings.watches()) {
      state.watermark(watch).ifPresent(revision -> {
        complete.add(watch);
        watches.add(new JsonObject().put("env", watch.env()).put("prefix", watch.prefix()).put("revision", revision));
      });
    }
    JsonArray values = new JsonArray();
    complete.stream().map(Watch::env).distinct().forEach(env -> state.values(env).values().stream()
        .filter(change -> complete.stream().anyMatch(watch -> watch.covers(change)))
        .forEach(change -> values.add(change.toChangeJson())));
    return new JsonObject().put("format", SnapshotFile.FORMAT).put("savedAt", Instant.now().toString())
        .put("epoch", state.epoch()).put("watches", watches).put("values", values);
  }
}
