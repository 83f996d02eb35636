package io.configd.api;

import io.configd.model.Environments;
import io.vertx.core.json.JsonObject;

/** The API verticle's settings: the {@code http} section of the node configuration. */
public record ApiSettings(String host, int port, int maxValueBytes, Environments environments) {

  public static ApiSettings from(JsonObject http, Environments environments) {
    return new ApiSettings(http.getString("host", "0.0.0.0"), http.getInteger("port", 8080),
        http.getInteger("maxValueBytes", 1 << 20), environments);
  }

  /** Room for the comment and the JSON around the value; the value's own limit is checked after parsing. */
  int maxBodyBytes() {
    return maxValueBytes + 64 * 1024;
  }
}
