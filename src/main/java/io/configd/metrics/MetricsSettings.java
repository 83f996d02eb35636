package io.configd.metrics;

import io.vertx.core.json.JsonObject;

/**
 * The {@code metrics} section: {@code /metrics} is served on the API port to the {@code token} (or an admin of every
 * key), and, when {@code port} is 0 or more, without a token on a management port of its own (bind it where only the
 * scraper reaches). {@code httpServerRequests} turns Vert.x's per-request HTTP server meters on (see BENCHMARKS.md for
 * what they cost the hot read path).
 *
 * @param token an empty string: no dedicated token (an admin token still reads /metrics on the API port)
 * @param port  -1: no management port
 */
public record MetricsSettings(String token, String host, int port, boolean httpServerRequests) {

  public static MetricsSettings from(JsonObject metrics) {
    String token = metrics.getString("token", "");
    if (!token.isEmpty() && token.length() < 16) {
      throw new IllegalArgumentException("metrics.token must be at least 16 characters (or empty for none)");
    }
    return new MetricsSettings(token, metrics.getString("host", "0.0.0.0"), metrics.getInteger("port", -1),
        metrics.getBoolean("httpServerRequests", true));
  }

  public boolean managementPort() {
    return port >= 0;
  }
}
