package io.configd.client;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import io.configd.model.ConfigdException;
import io.configd.model.Instance;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Builds a {@link ConfigClient}; only {@link #node} and {@link #watch} are required. */
public final class ConfigClientBuilder {

  private final List<NodeAddress> nodes = new ArrayList<>();
  private final List<Watch> watches = new ArrayList<>();
  private Vertx vertx;
  private Path snapshotFile;
  private Duration backoffInitial = Duration.ofMillis(200);
  private Duration backoffMax = Duration.ofSeconds(30);
  private double backoffJitter = 0.5;
  private Duration syncInterval = Duration.ofSeconds(30);
  private Duration pollInterval = Duration.ofSeconds(5);
  private Duration pingInterval = Duration.ofSeconds(20);
  private Duration requestTimeout = Duration.ofSeconds(10);
  private Duration startTimeout = Duration.ofSeconds(30);
  private Duration snapshotDebounce = Duration.ofMillis(500);
  private boolean bridge = true;
  private String token;
  private Path trustedCertificates;
  private Path clientCertificate;
  private Path clientKey;
  private String instanceId;
  private String app;
  private final Map<String, String> labels = new TreeMap<>();
  private Duration ackDelay = Duration.ofMillis(100);

  ConfigClientBuilder() {
  }

  /** A node to connect to, e.g. {@code http://10.0.0.5:8080}; list several and the client rotates through them. */
  public ConfigClientBuilder node(String url) {
    nodes.add(NodeAddress.parse(Objects.requireNonNull(url, "url")));
    return this;
  }

  public ConfigClientBuilder nodes(List<String> urls) {
    urls.forEach(this::node);
    return this;
  }

  /** Watches every key of {@code env} equal to {@code prefix} or below it ("" for the whole environment). */
  public ConfigClientBuilder watch(String env, String prefix) {
    Watch watch = new Watch(env, prefix);
    if (!watches.contains(watch)) {
      watches.add(watch);
    }
    return this;
  }

  /** The Vert.x to run on; without one the client creates its own and closes it on {@link ConfigClient#close()}. */
  public ConfigClientBuilder vertx(Vertx vertx) {
    this.vertx = vertx;
    return this;
  }

  /** Keeps the last good values here (written atomically) and starts from them when no node answers. */
  public ConfigClientBuilder snapshotFile(Path file) {
    this.snapshotFile = file;
    return this;
  }

  /** Reconnect delays: {@code initial}, doubling up to {@code max}, each shortened by a random part up to {@code jitter} (0 to 1). */
  public ConfigClientBuilder backoff(Duration initial, Duration max, double jitter) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max and a jitter between 0 and 1");
    }
    this.backoffInitial = initial;
    this.backoffMax = max;
    this.backoffJitter = jitter;
    return this;
  }

  /** How often a connected client asks for the changes since its watermark, to confirm it missed nothing (default 30 s). */
  public ConfigClientBuilder syncInterval(Duration interval) {
    this.syncInterval = positive(interval, "syncInterval");
    return this;
  }

  /** How often the HTTP fallback polls /v1/changes while the bridge cannot be reached (default 5 s). */
  public ConfigClientBuilder pollInterval(Duration interval) {
    this.pollInterval = positive(interval, "pollInterval");
    return this;
  }

  /** Keep-alive pings on the bridge (default 20 s; the server closes sockets idle for 60 s). */
  public ConfigClientBuilder pingInterval(Duration interval) {
    this.pingInterval = positive(interval, "pingInterval");
    return this;
  }

  /** How long a connection attempt or a request may take (default 10 s). */
  public ConfigClientBuilder requestTimeout(Duration timeout) {
    this.requestTimeout = positive(timeout, "requestTimeout");
    return this;
  }

  /** How long {@link ConfigClient#start()} waits for a node when there is no snapshot file to start from (default 30 s). */
  public ConfigClientBuilder startTimeout(Duration timeout) {
    this.startTimeout = positive(timeout, "startTimeout");
    return this;
  }

  /** How long the client gathers changes before it writes the snapshot file (default 500 ms). */
  public ConfigClientBuilder snapshotDebounce(Duration delay) {
    this.snapshotDebounce = positive(delay, "snapshotDebounce");
    return this;
  }

  /** False skips the WebSocket bridge: the client polls /v1/changes over HTTP only (default true). */
  public ConfigClientBuilder bridge(boolean enabled) {
    this.bridge = enabled;
    return this;
  }

  /**
   * The bearer token to authenticate with (a configd token "cfd_…" or a JWT): sent as
   * {@code Authorization: Bearer …} on HTTP and in the headers of every bridge frame. It needs read access
   * on every watched prefix.
   */
  public ConfigClientBuilder token(String token) {
    if (token == null || token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("token must be non-empty printable ASCII without spaces");
    }
    this.token = token;
    return this;
  }

  /**
   * PEM CA certificates to trust for {@code https://} nodes (HTTP and the wss bridge), instead of the JVM's default
   * trust store: the CA that signed the nodes' certificate. Host names are verified either way.
   */
  public ConfigClientBuilder trustedCertificates(Path caFile) {
    this.trustedCertificates = Objects.requireNonNull(caFile, "caFile");
    return this;
  }

  /** A client certificate chain and its key (PEM), for nodes that require mutual TLS (tls.clientCaFile). */
  public ConfigClientBuilder clientCertificate(Path certFile, Path keyFile) {
    this.clientCertificate = Objects.requireNonNull(certFile, "certFile");
    this.clientKey = Objects.requireNonNull(keyFile, "keyFile");
    return this;
  }

  /**
   * The id this instance names itself with (a pod or host name, a UUID: 1 to 128 characters of
   * {@code A-Za-z0-9_.:@-}). With an id, an app or labels, the client says hello on the bridge (headers on HTTP) and
   * acknowledges every change it applied, so that {@code GET /v1/instances} lists it; without an id but with an app
   * or labels, the id is the host name and the process id.
   */
  public ConfigClientBuilder instance(String id) {
    this.instanceId = Objects.requireNonNull(id, "id");
    return this;
  }

  /** The application's name, as {@code GET /v1/instances} shows it (see {@link #instance}). */
  public ConfigClientBuilder app(String name) {
    this.app = Objects.requireNonNull(name, "name");
    return this;
  }

  /** A label gray releases and rollouts select on, e.g. {@code label("zone", "eu-1")} (Kubernetes label grammar). */
  public ConfigClientBuilder label(String name, String value) {
    labels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return this;
  }

  public ConfigClientBuilder labels(Map<String, String> all) {
    all.forEach(this::label);
    return this;
  }

  /** How long acks gather a burst of applied changes before they go (default 100 ms). */
  public ConfigClientBuilder ackDelay(Duration delay) {
    this.ackDelay = positive(delay, "ackDelay");
    return this;
  }

  public ConfigClient build() {
    if (nodes.isEmpty()) {
      throw new IllegalStateException("a ConfigClient needs at least one node URL");
    }
    if (watches.isEmpty()) {
      throw new IllegalStateException("a ConfigClient needs at least one watched environment and prefix");
    }
    ClientSettings settings = new ClientSettings(List.copyOf(nodes), List.copyOf(watches), snapshotFile,
        backoffInitial, backoffMax, backoffJitter, syncInterval, pollInterval, pingInterval, requestTimeout,
        startTimeout, snapshotDebounce, bridge, token, new ClientSettings.Tls(trustedCertificates, clientCertificate,
        clientKey), instance(), ackDelay);
    return new ConfigClient(settings, vertx);
  }

  /** The identity, validated as a node validates it; null when none was given. */
  private Instance instance() {
    if (instanceId == null && app == null && labels.isEmpty()) {
      return null;
    }
    try {
      return new Instance(instanceId != null ? instanceId : defaultInstanceId(), app, labels);
    } catch (ConfigdException e) {
      throw new IllegalArgumentException("invalid instance identity: " + e.getMessage(), e);
    }
  }

  /** The id of an instance that names none: its host name and process id ({@code host-1234}), in the id's grammar. */
  public static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "host";
    }
    String id = (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9_.:@-]", "-")
        .replaceFirst("^[^A-Za-z0-9]+", "");
    return id.length() > Instance.MAX_ID ? id.substring(id.length() - Instance.MAX_ID) : id;
  }

  private static Duration positive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
    return value;
  }
}
