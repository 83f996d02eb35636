package io.configd.client;

import io.configd.model.ConfigValue;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The configd client for a service: loads the values of the watched environments and prefixes, keeps them
 * up to date from live changes, and serves typed reads from memory on any thread.
 *
 * <pre>{@code
 * ConfigClient config = ConfigClient.builder()
 *     .node("http://configd-1:8080").node("http://configd-2:8080")
 *     .watch("production", "services.payment")
 *     .snapshotFile(Path.of("/var/lib/payment/configd.json"))
 *     .build();
 * config.start().await();               // the latest values, before the service goes live
 * Duration timeout = config.getDuration("services.payment.timeout", Duration.ofSeconds(5));
 * config.onChange("services.payment", change -> ...);
 * }</pre>
 *
 * <p>Reads without an environment read the first watched one; {@link #env(String)} reads another.
 */
public final class ConfigClient extends ConfigReader {

  private final ClientSettings settings;
  private final Vertx suppliedVertx;
  private final LocalState state;
  private final Listeners listeners = new Listeners();
  private final String defaultEnv;
  private Vertx vertx;
  private Synchronizer synchronizer;
  private Future<String> deployed;
  private Future<Void> started;
  private Future<Void> closed;

  ConfigClient(ClientSettings settings, Vertx vertx) {
    this.settings = settings;
    this.suppliedVertx = vertx;
    this.state = new LocalState(settings.watches());
    this.defaultEnv = settings.watches().get(0).env();
  }

  public static ConfigClientBuilder builder() {
    return new ConfigClientBuilder();
  }

  /**
   * Connects and loads. Completes once the values are loaded from a node, or from the snapshot file when no
   * node answers (the client then keeps trying and syncs when one does). Fails when no node answers within the
   * start timeout and there is no snapshot file, or when a node rejects a watched environment or prefix; the
   * client is then closed.
   */
  public synchronized Future<Void> start() {
    if (started == null) {
      vertx = suppliedVertx != null ? suppliedVertx : ownVertx();
      synchronizer = new Synchronizer(settings, state, listeners);
      deployed = vertx.deployVerticle(synchronizer);
      // Not bound to the client's context: a failed start closes that context (and its event loop, with the client's
      // own Vert.x), and the caller must still hear of it once the close is done.
      Promise<Void> outcome = Promise.promise();
      deployed.compose(id -> synchronizer.ready()).onComplete(loaded -> {
        if (loaded.succeeded()) {
          outcome.complete();
        } else {
          close().onComplete(closed -> outcome.fail(loaded.cause()));
        }
      });
      started = outcome.future();
    }
    return started;
  }

  /**
   * The client reads no class-path files: with Vert.x's file cache off, its snapshot file is still written while the
   * JVM shuts down (the cache's shutdown hook would otherwise remove the cache under the last write).
   */
  private static Vertx ownVertx() {
    return Vertx.vertx(new VertxOptions().setFileSystemOptions(new FileSystemOptions()
        .setClassPathResolvingEnabled(false).setFileCachingEnabled(false)));
  }

  /** Disconnects, writes the snapshot file if values changed since it was last written, and releases everything. */
  public synchronized Future<Void> close() {
    if (closed == null) {
      if (vertx == null) {
        closed = Future.succeededFuture();
      } else if (suppliedVertx == null) {
        closed = closeOwnVertx();
      } else {
        closed = deployed.transform(deployment -> deployment.succeeded() ? vertx.undeploy(deployment.result())
            : Future.succeededFuture());
      }
    }
    return closed;
  }

  /** Closing Vert.x undeploys the synchronizer too. */
  private Future<Void> closeOwnVertx() {
    if (!Context.isOnVertxThread()) {
      return vertx.close();
    }
    // Vert.x completes close() on the calling context, which the close itself stops: call it from a plain thread.
    Promise<Void> done = Promise.promise();
    Thread closer = new Thread(() -> vertx.close().onComplete(done), "configd-client-close");
    closer.setDaemon(true);
    closer.start();
    return done.future();
  }

  /** Reads another watched environment. */
  public ConfigReader env(String env) {
    if (settings.watches().stream().noneMatch(watch -> watch.env().equals(env))) {
      throw new IllegalArgumentException("environment '" + env + "' is not watched; watched: " + settings.watches());
    }
    return new EnvReader(env, state, listeners);
  }

  @Override
  public String env() {
    return defaultEnv;
  }

  @Override
  public Optional<Object> find(String key) {
    return state.current(defaultEnv, key).map(ConfigValue::value);
  }

  /** The key's current value with its version, revision and author. */
  public Optional<ConfigValue> findChange(String key) {
    return state.current(defaultEnv, key);
  }

  @Override
  public Set<String> keys() {
    return Set.copyOf(state.values(defaultEnv).keySet());
  }

  @Override
  public ListenerHandle onChange(String prefixOrKey, Consumer<ConfigValue> listener) {
    return listeners.add(defaultEnv, prefixOrKey, listener);
  }

  @Override
  public ListenerHandle onChanges(String prefixOrKey, Consumer<List<ConfigValue>> listener) {
    return listeners.addSets(defaultEnv, prefixOrKey, listener);
  }

  /** The revision up to which the client knows it holds every change of a watch, if it has loaded it. */
  public OptionalLong watermark(String env, String prefix) {
    return state.watermark(new Watch(env, prefix)).map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  public ConnectionState connectionState() {
    Synchronizer running = synchronizer;
    return running == null ? ConnectionState.STARTING : running.connection();
  }

  /**
   * Counts an error of this instance against the revision it runs now, in every watched environment: the ack tells the
   * node, and a staged rollout rolls back when the instances running its change report too many. The count starts
   * again at 0 with the next revision applied. Does nothing for a client that does not name its instance.
   */
  public void reportFailure() {
    Synchronizer running = synchronizer;
    if (running != null) {
      running.reportFailure();
    }
  }

  /** {@link #reportFailure()}, with what failed for the client's debug log. */
  public void reportFailure(String what) {
    org.slf4j.LoggerFactory.getLogger(ConfigClient.class).debug("Failure reported: {}", what);
    reportFailure();
  }

  /** The URL of the node the client is connected to, if any. */
  public Optional<String> connectedNode() {
    Synchronizer running = synchronizer;
    return Optional.ofNullable(running == null ? null : running.connectedNode()).map(NodeAddress::url);
  }
}
