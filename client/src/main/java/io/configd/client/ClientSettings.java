package io.configd.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link ConfigClient} was built with (see {@link ConfigClientBuilder} for each setting's meaning).
 *
 * @param snapshotFile  where the last good values are kept; null keeps none
 * @param bridge        false skips the WebSocket bridge and polls over HTTP only
 * @param token         the bearer token sent on every request and bridge frame; null sends none
 * @param tls           what https/wss connections trust and present
 * @param instance      who this client is (hello on the bridge, headers on HTTP); null: it does not say
 * @param ackDelay      how long acks gather a burst of applied changes
 */
record ClientSettings(List<NodeAddress> nodes, List<Watch> watches, Path snapshotFile, Duration backoffInitial,
                      Duration backoffMax, double backoffJitter, Duration syncInterval, Duration pollInterval,
                      Duration pingInterval, Duration requestTimeout, Duration startTimeout,
                      Duration snapshotDebounce, boolean bridge, String token, Tls tls,
                      io.configd.model.Instance instance, Duration ackDelay) {

  /**
   * @param caFile   PEM CA certificates trusted for https/wss; null: the JVM's default trust store
   * @param certFile the client certificate (mutual TLS) with its {@code keyFile}; null: none
   */
  record Tls(Path caFile, Path certFile, Path keyFile) {

    /** Sets what this client trusts and presents on an HTTP or WebSocket client's options. */
    <T extends io.vertx.core.net.ClientOptionsBase> T applyTo(T options) {
      if (caFile != null) {
        options.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(caFile.toString()));
      }
      if (certFile != null) {
        options.setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(certFile.toString())
            .setKeyPath(keyFile.toString()));
      }
      return options;
    }
  }

  /** The Authorization header's value, or null without a token. Never logged. */
  String authorization() {
    return token == null ? null : "Bearer " + token;
  }

  @Override
  public String toString() {
    return "ClientSettings[nodes=" + nodes + ", watches=" + watches + ", token=" + (token == null ? "none" : "(set)")
        + ", instance=" + (instance == null ? "none" : instance.id()) + "]";
  }
}
