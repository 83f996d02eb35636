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
    all(api, "/v1/config", Api.query("env", env, "prefix", prefix))
        .forEach(item -> values.put(((JsonObject) item).getString("key"), ((JsonObject) item).getValue("value")));
    return values;
  }

  /** Every item of a paged listing ({items, next}) at {@code path} with {@code query}, all pages. */
  static JsonArray all(Api api, String path, Map<String, Object> query) {
    return all(api, path, query, Integer.MAX_VALUE);
  }

  /** The first {@code max} items of a paged listing, in pages of up to 1,000 ({@code limit} and {@code cursor}). */
  static JsonArray all(Api api, String path, Map<String, Object> query, int max) {
    JsonArray items = new JsonArray();
    String cursor = null;
    do {
      Map<String, Object> paged = new LinkedHashMap<>(query);
      paged.put("limit", Math.min(max - items.size(), 1000));
      paged.put("cursor", cursor);
      JsonObject page = api.get(Api.path(path, paged)).json();
      page.getJsonArray("items").forEach(items::add);
      cursor = page.getString("next");
    } while (cursor != null && items.size() < max);
    return items;
  }
}
