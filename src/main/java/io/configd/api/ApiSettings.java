package io.configd.api;

import io.configd.auth.ClientAddresses;
import io.configd.model.Environments;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The API verticle's settings: the {@code http} section of the node configuration.
 *
 * @param maxTxnOps      the most ops one POST /v1/txn may hold
 * @param maxTxnBytes    the largest body of a POST /v1/txn
 * @param maxBatchOps    the most ops the write pipeline gathers in one commit (a larger transaction goes alone)
 * @param maxBatchesInFlight the most write batches sent to PostgreSQL at once (the next waits on the revision row
 *                       while the one before commits; it goes once it holds as many ops as the one before)
 * @param trustedProxies addresses and CIDRs whose Forwarded / X-Forwarded-For headers name the client
 * @param accessLog      an access log line per request ({@code log.access})
 * @param headerTimeoutMillis       a new connection must send a complete request head within this time, else it is closed
 * @param idleTimeoutSeconds        a connection that reads and writes nothing for this long is closed (bridge
 *                                  sockets and watch streams stay busy with their pings and heartbeats)
 * @param maxConnectionsPerAddress  open HTTP connections per peer address on this node; 0 for no limit (behind a
 *                                  load balancer every client has the balancer's address)
 */
public record ApiSettings(String host, int port, int maxValueBytes, Environments environments, int maxTxnOps,
                          int maxTxnBytes, int maxBatchOps, int maxBatchesInFlight, List<String> trustedProxies, boolean accessLog,
                          int headerTimeoutMillis, int idleTimeoutSeconds, int maxConnectionsPerAddress) {

  /** Netty's limits, stated so that the problems can name them. */
  static final int MAX_INITIAL_LINE = 4096;
  static final int MAX_HEADER_BYTES = 8192;

  public static ApiSettings from(JsonObject http, Environments environments, boolean accessLog) {
    List<String> proxies = http.getJsonArray("trustedProxies", new JsonArray()).stream().map(Object::toString)
        .filter(text -> !text.isBlank()).toList();
    new ClientAddresses(proxies); // a bad entry fails the start here
    return new ApiSettings(http.getString("host", "0.0.0.0"), http.getInteger("port", 8080),
        http.getInteger("maxValueBytes", 1 << 20), environments, http.getInteger("maxTxnOps", 1000),
        http.getInteger("maxTxnBytes", 16 << 20), http.getInteger("maxBatchOps", 1000),
        http.getInteger("maxBatchesInFlight", 2), proxies, accessLog,
        http.getInteger("headerTimeoutMillis", 10_000), http.getInteger("idleTimeoutSeconds", 120),
        http.getInteger("maxConnectionsPerAddress", 4096));
  }

  /** Room for the comment and the JSON around the value; the value's own limit is checked after parsing. */
  int maxBodyBytes() {
    return maxValueBytes + 64 * 1024;
  }
}
