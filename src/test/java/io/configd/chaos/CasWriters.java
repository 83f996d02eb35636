package io.configd.chaos;

import io.configd.chaos.History.Attempt;
import io.configd.chaos.History.Round;
import io.configd.chaos.History.Write;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * One lane of CAS writers: rounds on the lane's own keys, in each round {@code contenders} writers PUT with the
 * same If-Match (each through another node) at the same time, so exactly one may win. A write without an answer is
 * sent again, unchanged, to the next node (up to three attempts): If-Match must keep it from applying twice. The
 * next round expects the winner's version, or (no winner seen) the version PostgreSQL holds.
 */
final class CasWriters implements Runnable {

  private final int lane;
  private final List<String> keys;
  private final List<ChaosNode> nodes;
  private final Api api;
  private final History history;
  private final int contenders;
  private final long pauseMillis;
  private final Supplier<Connection> postgres;
  private final int txnEvery;
  private final ExecutorService pool;
  private final Map<String, Integer> expected = new HashMap<>();
  private volatile boolean running = true;
  private Connection connection;

  CasWriters(int lane, List<String> keys, List<ChaosNode> nodes, Api api, History history, int contenders,
             long pauseMillis, Supplier<Connection> postgres, int txnEvery) {
    this.txnEvery = txnEvery;
    this.lane = lane;
    this.keys = keys;
    this.nodes = nodes;
    this.api = api;
    this.history = history;
    this.contenders = contenders;
    this.pauseMillis = pauseMillis;
    this.postgres = postgres;
    this.pool = Executors.newFixedThreadPool(contenders, runnable -> {
      Thread thread = new Thread(runnable, "chaos-cas-" + lane);
      thread.setDaemon(true);
      return thread;
    });
    keys.forEach(key -> expected.put(key, 0));
  }

  void stop() {
    running = false;
  }

  @Override
  public void run() {
    long number = 0;
    while (running) {
      String key = keys.get((int) (number % keys.size()));
      if (txnEvery > 0 && keys.size() > 1 && number % txnEvery == txnEvery - 1) {
        if (transaction(number, List.of(key, keys.get((int) ((number + 1) % keys.size()))))) {
          number++;
          Waits.pause(pauseMillis);
        }
        continue;
      }
      Integer expect = expected.get(key);
      if (expect == null) {
        expect = currentVersion(key);
        if (expect == null) {
          continue; // stopped while PostgreSQL was away
        }
      }
      Round round = round(number, key, expect);
      history.rounds.add(round);
      List<Write> winners = round.writes().stream().filter(w -> w.outcome() == History.Outcome.ACKNOWLEDGED).toList();
      expected.put(key, winners.size() == 1 ? winners.get(0).acknowledgement().version() : null);
      number++;
      Waits.pause(pauseMillis);
    }
    pool.shutdownNow();
  }

  private Round round(long number, String key, int expect) {
    List<Future<Write>> writes = new ArrayList<>();
    for (int c = 0; c < contenders; c++) {
      String id = "l" + lane + "r" + number + "c" + c;
      int first = (int) ((number + c) % nodes.size());
      writes.add(pool.submit(() -> write(id, key, expect, first)));
    }
    List<Write> done = new ArrayList<>();
    for (Future<Write> write : writes) {
      try {
        done.add(write.get());
      } catch (Exception e) {
        throw new IllegalStateException("a CAS writer failed: " + e, e);
      }
    }
    return new Round(lane, number, key, expect, done);
  }

  private Write write(String id, String key, int expect, int firstNode) {
    List<Attempt> attempts = new ArrayList<>();
    JsonObject value = new JsonObject().put("w", id);
    for (int attempt = 0; attempt < 3; attempt++) {
      int node = (firstNode + attempt) % nodes.size();
      Api.Answer answer = api.put(nodes.get(node).url(), key, expect, value);
      JsonObject body = answer.body();
      boolean ok = answer.status() / 100 == 2 && body != null;
      attempts.add(new Attempt(node + 1, answer.status(), ok ? body.getInteger("version") : 0,
          ok ? body.getLong("revision") : 0, answer.error()));
      if (answer.status() / 100 == 2 || answer.status() == 412) {
        break;
      }
      Waits.pause(300);
    }
    return new Write(id, key, expect, List.copyOf(attempts));
  }

  /**
   * A transaction in place of a round: a put on each key with its expected version (POST /v1/txn), all applied or
   * none; sent again unchanged to the next node when unanswered. False when stopped before it could be sent.
   */
  private boolean transaction(long number, List<String> txnKeys) {
    List<Integer> expects = new ArrayList<>();
    for (String key : txnKeys) {
      Integer expect = expected.get(key);
      if (expect == null) {
        expect = currentVersion(key);
        if (expect == null) {
          return false;
        }
      }
      expects.add(expect);
    }
    String id = "l" + lane + "t" + number;
    io.vertx.core.json.JsonArray ops = new io.vertx.core.json.JsonArray();
    for (int i = 0; i < txnKeys.size(); i++) {
      ops.add(new JsonObject().put("op", "put").put("key", txnKeys.get(i)).put("value", new JsonObject().put("w", id + "." + i))
          .put("expect", expects.get(i) == 0 ? "absent" : expects.get(i)));
    }
    JsonObject body = new JsonObject().put("ops", ops);
    List<Attempt> attempts = new ArrayList<>();
    List<Long> revisions = new ArrayList<>();
    List<Integer> versions = new ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      int node = (int) ((number + attempt) % nodes.size());
      Api.Answer answer = api.post(nodes.get(node).url(), "/v1/txn?env=" + Api.ENV, body);
      attempts.add(new Attempt(node + 1, answer.status(), 0, 0, answer.error()));
      if (answer.status() == 200 && answer.body() != null) {
        answer.body().getJsonArray("results").forEach(result -> {
          revisions.add(((JsonObject) result).getLong("revision"));
          versions.add(((JsonObject) result).getInteger("version"));
        });
        break;
      }
      if (answer.status() >= 400 && answer.status() < 500) {
        break;
      }
      Waits.pause(300);
    }
    history.txns.add(new History.Txn(id, txnKeys, expects, List.copyOf(attempts), List.copyOf(revisions)));
    for (int i = 0; i < txnKeys.size(); i++) {
      expected.put(txnKeys.get(i), versions.size() == txnKeys.size() ? versions.get(i) : null);
    }
    return true;
  }

  /** The key's version in PostgreSQL (0 when absent); null when stopped before PostgreSQL answered. */
  private Integer currentVersion(String key) {
    while (running) {
      try {
        if (connection == null || connection.isClosed()) {
          connection = postgres.get();
        }
        try (PreparedStatement statement = connection.prepareStatement(
            "select version from chaos.config_entry where env = ? and key = ?")) {
          statement.setString(1, Api.ENV);
          statement.setString(2, key);
          try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? rows.getInt(1) : 0;
          }
        }
      } catch (SQLException | RuntimeException e) {
        closeQuietly();
        Waits.pause(500);
      }
    }
    return null;
  }

  private void closeQuietly() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException e) {
      // it is being replaced
    }
    connection = null;
  }
}
