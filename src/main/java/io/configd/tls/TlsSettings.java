package io.configd.tls;

import io.vertx.core.json.JsonObject;

/**
 * TLS of the node's listeners: the {@code tls} section of the configuration. With a certificate chain and its key
 * (PEM files), the HTTP port (API, console, SockJS and WebSocket bridge) and the TCP bridge speak TLS only.
 *
 * @param certFile     the server's certificate chain, PEM, leaf first; null: no TLS
 * @param keyFile      its private key, PEM (PKCS#8 or PKCS#1)
 * @param clientCaFile PEM CA certificates; when set, every client must present a certificate they signed (mutual TLS)
 * @param required     refuse to start without TLS, so that a deployment never falls back to plain text by mistake
 * @param reloadMillis how often the files' modification times are checked; a change is served on new connections
 * @param healthPort   a plain-HTTP port on 127.0.0.1 serving only /health and /ready (probes without the CA); -1: none
 */
public record TlsSettings(String certFile, String keyFile, String clientCaFile, boolean required, long reloadMillis,
                          int healthPort) {

  public static TlsSettings from(JsonObject tls) {
    TlsSettings settings = new TlsSettings(blankToNull(tls.getString("certFile")), blankToNull(tls.getString("keyFile")),
        blankToNull(tls.getString("clientCaFile")), tls.getBoolean("required", false),
        tls.getLong("reloadMillis", 5_000L), tls.getInteger("healthPort", -1));
    if ((settings.certFile == null) != (settings.keyFile == null)) {
      throw new IllegalArgumentException("tls.certFile and tls.keyFile go together: set both (PEM files) or neither");
    }
    if (settings.clientCaFile != null && settings.certFile == null) {
      throw new IllegalArgumentException("tls.clientCaFile needs tls.certFile and tls.keyFile: mutual TLS is TLS");
    }
    if (settings.required && settings.certFile == null) {
      throw new IllegalArgumentException("tls.required is true but tls.certFile and tls.keyFile are not set "
          + "(CONFIGD_TLS_CERT_FILE, CONFIGD_TLS_KEY_FILE): configd will not serve plain text");
    }
    if (settings.reloadMillis < 100) {
      throw new IllegalArgumentException("tls.reloadMillis must be at least 100, not " + settings.reloadMillis);
    }
    return settings;
  }

  public boolean enabled() {
    return certFile != null;
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }
}
