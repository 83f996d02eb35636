package io.configd.api;

import io.configd.model.Environments;
import io.vertx.core.json.JsonObject;

/**
 * The API verticle's settings: the {@code http} section of the node configuration.
 *
 * @param maxTxnOps   the most ops one POST /v1/txn may hold
 * @param maxTxnBytes the largest body of a POST /v1/txn
 * @param maxBatchOps the most ops the write pipeline gathers in one commit (a larger transaction goes alone)
 */
public record ApiSettings(String host, int port, int maxValueBytes, Environments environments, int maxTxnOps,
                          int maxTxnBytes, int maxBatchOps) {

  public static ApiSettings from(JsonObject http, Environments environments) {
    return new ApiSettings(http.getString("host", "0.0.0.0"), http.getInteger("port", 8080),
        http.getInteger("maxValueBytes", 1 << 20), environments, http.getInteger("maxTxnOps", 1000),
        http.getInteger("maxTxnBytes", 16 << 20), http.getInteger("maxBatchOps", 1000));
  }

  /** Room for the comment and the JSON around the value; the value's own limit is checked after parsing. */
  int maxBodyBytes() {
    return maxValueBytes + 64 * 1024;
  }
}
