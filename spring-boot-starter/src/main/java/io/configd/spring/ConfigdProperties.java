package io.configd.spring;

import io.configd.client.ConfigClient;
import io.configd.client.ConfigClientBuilder;
import io.configd.client.Watch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code configd.*} settings of a service, bound once from its own configuration (application.properties, the
 * environment, the command line) before configd's values are loaded.
 *
 * @param nodes        the configd nodes to connect to, tried in turn ({@code configd.nodes=http://c1:8080,http://c2:8080})
 * @param token        the bearer token; it needs read access on every watched prefix
 * @param watch        what to load, as {@code env:prefix} ({@code production:services.payment}); the first listed wins
 *                     when two watches hold the same key
 * @param snapshotFile where the last good values are kept; the service starts from it when no node answers
 * @param startTimeout how long the start waits for a node when there is no snapshot file (then it fails)
 * @param bridge       false polls the HTTP API instead of holding a WebSocket on the bridge
 * @param tls          for https:// nodes: {@code configd.tls.ca-file} (PEM CA certificates to trust instead of the
 *                     JVM's trust store) and, for mutual TLS, {@code configd.tls.cert-file} and {@code key-file}
 * @param instance     who this service instance is: {@code configd.instance.id} (default: host name and pid),
 *                     {@code configd.instance.app} (default: {@code spring.application.name}) and
 *                     {@code configd.instance.labels.<name>=<value>}; always sent, with an ack after every change
 */
public record ConfigdProperties(List<String> nodes, String token, List<String> watch, Path snapshotFile,
                                @DefaultValue("30s") Duration startTimeout, @DefaultValue("true") boolean bridge,
                                Tls tls, InstanceProperties instance) {

  /** The TLS files of the client; each may be null. */
  public record Tls(Path caFile, Path certFile, Path keyFile) {
  }

  /** The instance's identity; each may be null (labels empty). */
  public record InstanceProperties(String id, String app, Map<String, String> labels) {

    public InstanceProperties {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
  }

  public static final String PREFIX = "configd";

  public ConfigdProperties {
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    watch = watch == null ? List.of() : List.copyOf(watch);
    tls = tls == null ? new Tls(null, null, null) : tls;
    instance = instance == null ? new InstanceProperties(null, null, null) : instance;
  }

  /** These settings with other nodes (from {@code spring.config.import=configd:http://c1:8080,...}). */
  ConfigdProperties withNodes(List<String> urls) {
    return new ConfigdProperties(urls, token, watch, snapshotFile, startTimeout, bridge, tls, instance);
  }

  /** These settings with the application's name as the instance's app, unless configd.instance.app names one. */
  ConfigdProperties withApplicationName(String name) {
    if (instance.app() != null || name == null || name.isBlank()) {
      return this;
    }
    return new ConfigdProperties(nodes, token, watch, snapshotFile, startTimeout, bridge, tls,
        new InstanceProperties(instance.id(), name.trim(), instance.labels()));
  }

  /** The watches, parsed; throws IllegalStateException saying what is missing or malformed. */
  List<Watch> watches() {
    if (watch.isEmpty()) {
      throw new IllegalStateException("configd.watch is not set: list what to load as env:prefix, "
          + "e.g. configd.watch=production:services.payment");
    }
    return watch.stream().map(ConfigdProperties::parseWatch).toList();
  }

  static Watch parseWatch(String text) {
    String trimmed = text.trim();
    int colon = trimmed.indexOf(':');
    try {
      return colon < 0 ? new Watch(trimmed, "") : new Watch(trimmed.substring(0, colon), trimmed.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("configd.watch '" + text + "' is not env:prefix (" + e.getMessage() + ")", e);
    }
  }

  ConfigClient client() {
    if (nodes.isEmpty()) {
      throw new IllegalStateException("configd.nodes is not set: list the configd nodes, "
          + "e.g. configd.nodes=http://configd-1:8080,http://configd-2:8080 (or spring.config.import=configd:http://...)");
    }
    ConfigClientBuilder builder = ConfigClient.builder().nodes(nodes).startTimeout(startTimeout).bridge(bridge);
    watches().forEach(w -> builder.watch(w.env(), w.prefix()));
    if (token != null && !token.isBlank()) {
      builder.token(token.trim());
    }
    if (snapshotFile != null) {
      builder.snapshotFile(snapshotFile);
    }
    if (tls.caFile() != null) {
      builder.trustedCertificates(tls.caFile());
    }
    if ((tls.certFile() == null) != (tls.keyFile() == null)) {
      throw new IllegalStateException("configd.tls.cert-file and configd.tls.key-file go together: set both or neither");
    }
    if (tls.certFile() != null) {
      builder.clientCertificate(tls.certFile(), tls.keyFile());
    }
    builder.instance(instance.id() != null && !instance.id().isBlank() ? instance.id().trim()
        : ConfigClientBuilder.defaultInstanceId());
    if (instance.app() != null && !instance.app().isBlank()) {
      builder.app(instance.app().trim());
    }
    builder.labels(instance.labels());
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("configd.instance: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "configd[nodes=" + nodes + ", watch=" + watch + ", token=" + (token == null ? "none" : "(set)")
        + ", snapshotFile=" + snapshotFile + ", instance=" + instance + "]";
  }
}
