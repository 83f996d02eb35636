package io.configd.propagation;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who asks for a snapshot or a catch-up: an instance (its id and labels, from the bridge socket's identity) or an
 * anonymous reader. An anonymous reader gets released values only; an instance also gets what the live rollouts
 * targeting it give it, and never a rollout's change that does not target it.
 *
 * @param id null for an anonymous reader
 */
record Reader(String id, Map<String, String> labels) {

  static final Reader ANONYMOUS = new Reader(null, Map.of());

  /** From a request's {@code instance: {id, labels}} member, set by the bridge; anonymous without one. */
  static Reader of(JsonObject request) {
    JsonObject instance = request.getJsonObject("instance");
    if (instance == null || instance.getString("id") == null) {
      return ANONYMOUS;
    }
    Map<String, String> labels = new HashMap<>();
    JsonObject given = instance.getJsonObject("labels", new JsonObject());
    given.forEach(entry -> labels.put(entry.getKey(), String.valueOf(entry.getValue())));
    return new Reader(instance.getString("id"), Map.copyOf(labels));
  }

  boolean anonymous() {
    return id == null;
  }

  boolean receives(ConfigValue change) {
    return change.reaches(id, labels);
  }

  /**
   * The snapshot's items with, for each key that a live rollout targeting this instance changes, the rollout's value
   * (it stands on the version the item holds: the live values come from rollouts still on the released version).
   */
  List<ConfigValue> overlay(List<ConfigValue> items, List<ConfigValue> live) {
    Map<String, ConfigValue> targeted = new HashMap<>();
    for (ConfigValue value : live) {
      if (receives(value)) {
        targeted.put(value.key(), value);
      }
    }
    if (targeted.isEmpty()) {
      return items;
    }
    List<ConfigValue> overlaid = new ArrayList<>(items.size());
    for (ConfigValue item : items) {
      ConfigValue rollout = targeted.get(item.key());
      overlaid.add(rollout != null && rollout.version() == item.version() ? rollout : item);
    }
    return overlaid;
  }
}
