package io.configd.api;

import io.configd.model.Environments;
import io.configd.store.PgSettings;
import io.vertx.core.json.JsonObject;

/** The API verticle's settings, read once from the node configuration. */
public record ApiSettings(String host, int port, int maxValueBytes, Environments environments, PgSettings pg) {

  public static ApiSettings from(JsonObject config) {
    JsonObject http = config.getJsonObject("http");
    return new ApiSettings(http.getString("host", "0.0.0.0"), http.getInteger("port", 8080),
        http.getInteger("maxValueBytes", 1 << 20),
        Environments.from(config.getJsonObject("node").getJsonArray("environments")),
        PgSettings.from(config.getJsonObject("pg")));
  }

  /** Room for the comment and the JSON around the value; the value's own limit is checked after parsing. */
  int maxBodyBytes() {
    return maxValueBytes + 64 * 1024;
  }
}
