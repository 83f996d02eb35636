package io.configd.client;

import java.net.URI;

/** One configd node the client may talk to, from a URL such as {@code http://10.0.0.5:8080} or {@code https://configd.internal}. */
record NodeAddress(String url, String host, int port, boolean ssl, String basePath) {

  static NodeAddress parse(String url) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("node URL '" + url + "' is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("node URL '" + url + "' must be http://host[:port] or https://host[:port]");
    }
    boolean ssl = scheme.equals("https");
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return new NodeAddress(url, uri.getHost(), port, ssl, path);
  }

  @Override
  public String toString() {
    return url;
  }
}
