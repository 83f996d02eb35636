package io.configd.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** All pages of a listing: every current value under a prefix (GET /v1/config), or every item of another. */
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

  /** Every item of a paged listing ({items, next}) at {@code path} with {@code query}, all pages. */
  static JsonArray all(Api api, String path, Map<String, Object> query) {
    JsonArray items = new JsonArray();
    String cursor = null;
    do {
      Map<String, Object> paged = new LinkedHashMap<>(query);
      paged.put("limit", 1000);
      paged.put("cursor", cursor);
      JsonObject page = api.get(Api.path(path, paged)).json();
      page.getJsonArray("items").forEach(items::add);
      cursor = page.getString("next");
    } while (cursor != null);
    return items;
  }
}
