package io.configd.propagation;

import io.configd.model.ConfigValue;
import io.configd.model.Instance;
import io.configd.store.RolloutStore;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Who asks for a snapshot or a catch-up: an instance (its identity, which the bridge puts in the request from the
 * socket's hello, or SSE from the watch's parameters) or an anonymous reader. An anonymous reader gets released values
 * only; an instance also gets what the live rollouts targeting it give it, and never a rollout's change that does not
 * target it.
 *
 * @param instance null for an anonymous reader
 */
record Reader(Instance instance) {

  /** From a request's {@code instance} member ({@link Instance#toJson}); anonymous without one. */
  static Reader of(JsonObject request) {
    JsonObject instance = request.getJsonObject("instance");
    return new Reader(instance == null ? null : Instance.fromJson(instance));
  }

  boolean anonymous() {
    return instance == null;
  }

  boolean receives(ConfigValue change) {
    return RolloutStore.reaches(change, instance);
  }

  List<ConfigValue> overlay(List<ConfigValue> items, List<ConfigValue> live) {
    return RolloutStore.overlay(items, live, instance);
  }
}
