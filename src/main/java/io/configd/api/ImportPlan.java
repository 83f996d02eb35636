package io.configd.api;

import io.configd.model.ConfigValue;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an import changes, key by key, against the current values: what a dry run prints and what the import writes.
 *
 * @param removed only when the import prunes: keys under the prefix that the file does not hold
 */
record ImportPlan(List<Added> added, List<Changed> changed, List<ConfigValue> removed, List<String> unchanged) {

  record Added(String key, Object value) {
  }

  record Changed(ConfigValue current, Object value) {
  }

  static ImportPlan of(Map<String, Object> incoming, Map<String, ConfigValue> current, boolean prune) {
    List<Added> added = new ArrayList<>();
    List<Changed> changed = new ArrayList<>();
    List<ConfigValue> removed = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    incoming.forEach((key, value) -> {
      ConfigValue now = current.get(key);
      if (now == null) {
        added.add(new Added(key, value));
      } else if (Objects.equals(now.value(), value) || Json.encode(now.value()).equals(Json.encode(value))) {
        unchanged.add(key);
      } else {
        changed.add(new Changed(now, value));
      }
    });
    if (prune) {
      current.values().stream().filter(value -> !incoming.containsKey(value.key())).forEach(removed::add);
    }
    return new ImportPlan(added, changed, removed, unchanged);
  }

  int writes() {
    return added.size() + changed.size() + removed.size();
  }

  JsonObject toJson() {
    JsonArray addedJson = new JsonArray();
    added.forEach(item -> addedJson.add(new JsonObject().put("key", item.key()).put("value", item.value())));
    JsonArray changedJson = new JsonArray();
    changed.forEach(item -> changedJson.add(new JsonObject().put("key", item.current().key())
        .put("version", item.current().version()).put("from", item.current().value()).put("to", item.value())));
    JsonArray removedJson = new JsonArray();
    removed.forEach(item -> removedJson.add(new JsonObject().put("key", item.key()).put("version", item.version())
        .put("value", item.value())));
    return new JsonObject().put("added", addedJson).put("changed", changedJson).put("removed", removedJson)
        .put("unchanged", new JsonArray(new ArrayList<>(unchanged)));
  }
}
