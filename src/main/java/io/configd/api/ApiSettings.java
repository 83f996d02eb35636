package io.configd.api;

import io.configd.model.Environments;
import io.vertx.core.json.JsonObject;

/**
 * The API verticle's settings: the {@code http} section of the node configuration.
 *
 * @param headerTimeoutMillis       a new connection must send a complete request head within this time, else it is closed
 * @param idleTimeoutSeconds        a connection that reads and writes nothing for this long is closed (bridge
 *                                  sockets and watch streams stay busy with their pings and heartbeats)
 * @param maxConnectionsPerAddress  open HTTP connections per client address on this node; 0 for no limit (behind a
 *                                  load balancer every client has the balancer's address)
 */
public record ApiSettings(String host, int port, int maxValueBytes, int headerTimeoutMillis, int idleTimeoutSeconds,
                          int maxConnectionsPerAddress, Environments environments) {

  /** Netty's limits, stated so that the problems can name them. */
  static final int MAX_INITIAL_LINE = 4096;
  static final int MAX_HEADER_BYTES = 8192;

  public static ApiSettings from(JsonObject http, Environments environments) {
    return new ApiSettings(http.getString("host", "0.0.0.0"), http.getInteger("port", 8080),
        http.getInteger("maxValueBytes", 1 << 20), http.getInteger("headerTimeoutMillis", 10_000),
        http.getInteger("idleTimeoutSeconds", 120), http.getInteger("maxConnectionsPerAddress", 4096), environments);
  }

  /** Room for the comment and the JSON around the value; the value's own limit is checked after parsing. */
  int maxBodyBytes() {
    return maxValueBytes + 64 * 1024;
  }
}
