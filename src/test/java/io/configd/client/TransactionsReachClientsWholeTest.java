package io.configd.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TestNodeExtension;
import io.configd.model.ConfigValue;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A transaction reaches the Java client as a unit: over the bridge (its frames counted per socket), and by the catch-up
 * after a connection cut in the middle of its frames. A reader on another thread reads the keys in order and must never
 * see a later key older than an earlier one; a set listener hears each transaction in one call.
 */
@DisplayName("Transactions reach the Java client whole")
class TransactionsReachClientsWholeTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("TransactionsReachClientsWholeTest");

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static ConfigClientBuilder client(int port) {
    return ConfigClient.builder().vertx(NODE.vertx()).node("http://127.0.0.1:" + port).token(NODE.node().adminToken())
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.5).syncInterval(Duration.ofMinutes(5));
  }

  /** Half the keys under {@code prefix}.a, half under {@code prefix}.b: two watches, two bridge addresses. */
  private static List<String> keys(String prefix, int size) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      keys.add(prefix + (i % 2 == 0 ? ".a.k" : ".b.k") + String.format("%03d", i));
    }
    return keys;
  }

  /** Every key set to {@code generation} in one POST /v1/txn; returns its id. */
  private static long txn(List<String> keys, int generation) {
    JsonArray ops = new JsonArray();
    keys.forEach(key -> ops.add(new JsonObject().put("op", "put").put("key", key).put("value", generation)));
    var response = NODE.node().call(HttpMethod.POST, "/v1/txn?env=production", new JsonObject().put("ops", ops));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getLong("txn");
  }

  /** Reads the keys in order, again and again, on its own thread: a later key older than an earlier one is torn. */
  private static final class Reader implements AutoCloseable {
    final List<String> torn = new CopyOnWriteArrayList<>();
    final AtomicLong reads = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Reader(ConfigClient config, List<List<String>> sets) {
      thread = new Thread(() -> {
        while (running.get()) {
          for (List<String> keys : sets) {
            int previous = Integer.MIN_VALUE;
            for (String key : keys) {
              int value = config.getInt(key, -1);
              if (value < previous && torn.size() < 10) {
                torn.add(key + " at " + value + " after an earlier key at " + previous);
              }
              previous = Math.max(previous, value);
            }
          }
          reads.incrementAndGet();
        }
      }, "txn-reader");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }

  @Test
  @DisplayName("2-key and 100-key transactions over two watches: a reader never sees one key new and another old, and "
      + "a set listener hears each transaction once, with every one of its changes")
  void liveTransactionsAreAppliedWhole() throws Exception {
    List<String> two = keys("whole.pair", 2);
    List<String> hundred = keys("whole.many", 100);
    txn(two, 0);
    txn(hundred, 0);
    ConfigClient config = client(NODE.node().port()).watch("production", "whole.pair.a")
        .watch("production", "whole.pair.b").watch("production", "whole.many.a").watch("production", "whole.many.b")
        .build();
    config.start().await();
    List<List<ConfigValue>> sets = new CopyOnWriteArrayList<>();
    List<String> tornInListener = new CopyOnWriteArrayList<>();
    config.onChanges("whole", sets::add);
    config.onChange("whole.many", change -> {
      int expected = (Integer) change.value();
      hundred.stream().filter(key -> config.getInt(key, -1) != expected).findFirst()
          .ifPresent(key -> tornInListener.add(change.key() + " heard at " + expected + " while " + key + " is "
              + config.getInt(key, -1)));
    });

    List<Long> ids = new ArrayList<>();
    try (Reader reader = new Reader(config, List.of(two, hundred))) {
      for (int generation = 1; generation <= 10; generation++) {
        ids.add(txn(two, generation));
        ids.add(txn(hundred, generation));
      }
      Eventually.await("every key at generation 10", WAIT,
          () -> two.stream().allMatch(key -> config.getInt(key, -1) == 10)
              && hundred.stream().allMatch(key -> config.getInt(key, -1) == 10));
      long seen = reader.reads.get();
      Eventually.await("the reader still reading", WAIT, () -> reader.reads.get() > seen + 10);
      reader.close();
      assertThat(reader.torn).isEmpty();
    }
    assertThat(tornInListener).isEmpty();
    assertThat(sets).hasSize(20);
    for (int i = 0; i < 20; i++) {
      List<ConfigValue> set = sets.get(i);
      assertThat(set).extracting(change -> change.txn().id()).containsOnly(ids.get(i));
      assertThat(set).extracting(ConfigValue::key).containsExactlyElementsOf(i % 2 == 0 ? two : hundred);
    }
    config.close().await();
  }

  @Test
  @DisplayName("a connection cut in the middle of a 100-key transaction's frames: the client applies none of them, "
      + "and its catch-up brings the transaction whole")
  void aCutTransactionComesWholeByCatchUp() throws Exception {
    List<String> hundred = keys("whole.cut", 100);
    txn(hundred, 0);
    CuttingProxy proxy = CuttingProxy.start(NODE.vertx(), NODE.node().port()).await();
    ConfigClient config = client(proxy.port()).watch("production", "whole.cut.a").watch("production", "whole.cut.b")
        .build();
    config.start().await();
    List<List<ConfigValue>> sets = new CopyOnWriteArrayList<>();
    config.onChanges("whole.cut", sets::add);
    try (Reader reader = new Reader(config, List.of(hundred))) {
      // the transaction's frames are some 250 bytes each: the socket is cut a quarter of the way through them
      proxy.cutAfter(6_000);
      long id = txn(hundred, 1);
      Eventually.await("the cut", WAIT, () -> proxy.cuts() == 1);
      Eventually.await("every key at generation 1", WAIT,
          () -> hundred.stream().allMatch(key -> config.getInt(key, -1) == 1));
      // the values are in place a moment before the listeners hear them (the client applies, then tells)
      Eventually.await("the transaction's set heard", WAIT, () -> !sets.isEmpty());
      reader.close();
      assertThat(reader.torn).isEmpty();
      assertThat(sets).hasSize(1);
      assertThat(sets.get(0)).hasSize(100).extracting(change -> change.txn().id()).containsOnly(id);
      assertThat(config.watermark("production", "whole.cut.a").orElseThrow()).isGreaterThanOrEqualTo(id + 99);
    } finally {
      config.close().await();
      proxy.close().await();
    }
  }
}
