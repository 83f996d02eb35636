package io.configd.chaos;

import io.configd.client.ConfigClient;
import io.configd.model.ConfigValue;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Java-client subscribers (client/'s ConfigClient, as a service uses it): each watches the run's keys, starts on
 * another node and fails over through the others; its listener records every change in the order it fires.
 */
final class Subscribers implements AutoCloseable {

  static final String PREFIX = "chaos";

  private final Vertx vertx = Vertx.vertx();
  private final List<ConfigClient> clients = new ArrayList<>();
  private final History history;

  Subscribers(History history) {
    this.history = history;
  }

  void start(int count, List<ChaosNode> nodes, String token) {
    for (int i = 0; i < count; i++) {
      List<String> urls = new ArrayList<>();
      for (int n = 0; n < nodes.size(); n++) {
        urls.add(nodes.get((i + n) % nodes.size()).url());
      }
      String name = "subscriber-" + (i + 1);
      List<History.Seen> seen = Collections.synchronizedList(new ArrayList<>());
      history.subscribers.put(name, seen);
      ConfigClient client = ConfigClient.builder().nodes(urls).watch(Api.ENV, PREFIX).token(token).vertx(vertx)
          .backoff(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2).startTimeout(Duration.ofSeconds(60))
          .build();
      client.onChange(PREFIX, change -> seen.add(new History.Seen(change.key(), change.version(), change.revision(),
          id(change))));
      client.start().await();
      clients.add(client);
    }
  }

  /** Each subscriber's current values: key → version. */
  List<Map<String, Integer>> states() {
    List<Map<String, Integer>> states = new ArrayList<>();
    for (ConfigClient client : clients) {
      Map<String, Integer> state = new java.util.HashMap<>();
      for (String key : client.keys()) {
        client.findChange(key).ifPresent(change -> state.put(key, change.version()));
      }
      states.add(state);
    }
    return states;
  }

  List<String> names() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      names.add("subscriber-" + (i + 1));
    }
    return names;
  }

  static String id(ConfigValue change) {
    Object value = change.value();
    if (value instanceof JsonObject json) {
      return json.getString("w");
    }
    if (value instanceof Map<?, ?> map) {
      Object w = map.get("w");
      return w == null ? null : w.toString();
    }
    return null;
  }

  @Override
  public void close() {
    clients.forEach(client -> client.close().await());
    vertx.close().await();
  }
}
