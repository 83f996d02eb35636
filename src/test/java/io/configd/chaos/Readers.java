package io.configd.chaos;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A reader: GETs a random key from a random node; every answer must be a version PostgreSQL's history holds. */
final class Readers implements Runnable {

  private final List<String> keys;
  private final List<ChaosNode> nodes;
  private final Api api;
  private final History history;
  private final long pauseMillis;
  private volatile boolean running = true;

  Readers(List<String> keys, List<ChaosNode> nodes, Api api, History history, long pauseMillis) {
    this.keys = keys;
    this.nodes = nodes;
    this.api = api;
    this.history = history;
    this.pauseMillis = pauseMillis;
  }

  void stop() {
    running = false;
  }

  @Override
  public void run() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (running) {
      String key = keys.get(random.nextInt(keys.size()));
      Api.Answer answer = api.get(nodes.get(random.nextInt(nodes.size())).url(), key);
      if (answer.status() == 200 && answer.body() != null) {
        JsonObject value = answer.body().getJsonObject("value");
        history.reads.add(new History.Read(key, answer.body().getInteger("version"), value == null ? null : value.getString("w")));
      } else if (answer.status() != 404) {
        history.readFailures.incrementAndGet();
      }
      Waits.pause(pauseMillis);
    }
  }
}
