package io.configd.cli;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every current value under a prefix, all pages of GET /v1/config. */
final class Listing {

  private Listing() {
  }

  static Map<String, Object> current(Api api, String env, String prefix) {
    Map<String, Object> values = new LinkedHashMap<>();
    String cursor = null;
    do {
      JsonObject page = api.get(Api.path("/v1/config", Api.query("env", env, "prefix", prefix, "limit", 1000,
          "cursor", cursor))).json();
      page.getJsonArray("items").forEach(item -> values.put(((JsonObject) item).getString("key"),
          ((JsonObject) item).getValue("value")));
      cursor = page.getString("next");
    } while (cursor != null);
    return values;
  }
}
