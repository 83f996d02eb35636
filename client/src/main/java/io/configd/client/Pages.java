package io.configd.client;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Reads the snapshot and changes answers, which the bridge and the HTTP API shape alike. */
final class Pages {

  private Pages() {
  }

  static Source.ChangesPage changes(JsonObject body) {
    return new Source.ChangesPage(items(body.getJsonArray("items")), body.getLong("next"), body.getBoolean("more", false),
        body.getLong("epoch", 0L));
  }

  static List<ConfigValue> items(JsonArray items) {
    List<ConfigValue> changes = new ArrayList<>(items == null ? 0 : items.size());
    if (items != null) {
      for (int i = 0; i < items.size(); i++) {
        changes.add(ConfigValue.fromJson(items.getJsonObject(i)));
      }
    }
    return changes;
  }
}
