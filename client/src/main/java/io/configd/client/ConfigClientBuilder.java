package io.configd.client;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
        clientKey));
    return new ConfigClient(settings, vertx);
  }

  private static Duration positive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
    return value;
  }
}
