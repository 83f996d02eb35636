package io.configd;

import static io.configd.StreamTesting.queryLong;
import static io.configd.StreamTesting.queryRows;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md invariant 1 under group commit (issue 18): a node killed with SIGKILL while batches of writes are in
 * flight loses no acknowledged write, and leaves no write half-applied; restarted, it relays and audits them all.
 */
@DisplayName("Batched writes survive a node killed in the middle of them")
class BatchedWritesSurviveAKilledNodeTest {

  private static final int WRITERS = 32;
  private static final int KEYS = 40;

  record Acked(String key, int version, long revision) {
  }

  @Test
  @DisplayName("SIGKILL during a stream of batched writes: every acknowledged write is in PostgreSQL, Kafka and the "
      + "audit log, and nothing unacknowledged is half-applied")
  void killedMidStream() throws Exception {
    JsonObject config = StreamTesting.streamConfig("BatchedWritesSurviveAKilledNodeTest");
    config.getJsonObject("auth").put("limits", new JsonObject().put("writesPerSecond", 1_000_000)
        .put("writeBurst", 1_000_000).put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000));
    NodeProcess node = NodeProcess.start(config).awaitReady(Duration.ofSeconds(120));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Map<String, Acked> acked = new ConcurrentHashMap<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    List<CompletableFuture<Void>> writers = IntStream.range(0, WRITERS)
        .mapToObj(w -> write(http, node, w, 0, acked, running, sent)).toList();
    try {
      Eventually.await("300 acknowledged writes", Duration.ofSeconds(120), () -> acked.size() >= 300);
      node.kill();
    } finally {
      running.set(false);
    }
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();
    int acknowledged = acked.size();

    // PostgreSQL: every acknowledged write, with its version and revision
    Set<String> stored = queryRows(config, "select key, version, revision, value #>> '{}' as value from config_version")
        .stream().map(row -> row.get("value") + "@" + row.get("key") + "/" + row.get("version") + "/" + row.get("revision"))
        .collect(Collectors.toSet());
    acked.forEach((value, a) -> assertThat(stored).contains(value + "@" + a.key() + "/" + a.version() + "/" + a.revision()));
    // nothing half-applied: each version has its change and the counter covers them, gap-free; entries are the newest
    long head = queryLong(config, "select revision from config_revision");
    assertThat(queryLong(config, "select count(*) from config_version")).isEqualTo(head);
    assertThat(queryLong(config, "select count(*) from config_change")).isEqualTo(head);
    assertThat(queryLong(config, "select count(*) from config_change c join config_version v using (env, key, version) "
        + "where c.revision = v.revision")).isEqualTo(head);
    assertThat(queryLong(config, "select coalesce(max(revision), 0) from config_version")).isEqualTo(head);
    assertThat(queryLong(config, "select count(*) from config_entry e where e.version <> (select max(v.version) "
        + "from config_version v where v.env = e.env and v.key = e.key)")).isZero();
    System.out.printf("killed after %d writes sent, %d acknowledged, %d committed%n", sent.get(), acknowledged, head);

    // restarted, the node relays every committed change to Kafka and the audit consumer records each once
    node.restart().awaitReady(Duration.ofSeconds(120));
    try {
      Set<Long> ackedRevisions = acked.values().stream().map(Acked::revision).collect(Collectors.toSet());
      var records = StreamTesting.readTopic(config, Duration.ofSeconds(120),
          read -> StreamTesting.revisions(read).size() >= head);
      assertThat(StreamTesting.revisions(records)).containsAll(ackedRevisions).hasSize((int) head);
      Eventually.await("an audit row per revision", Duration.ofSeconds(120),
          () -> queryLong(config, "select count(*) from audit_log") >= head);
      assertThat(queryLong(config, "select count(distinct revision) from audit_log")).isEqualTo(head);
      assertThat(queryLong(config, "select count(*) from audit_log")).isEqualTo(head);
    } finally {
      node.stop();
    }
  }

  /** One writer: PUT after PUT of values unique to it, until the node is gone. */
  private static CompletableFuture<Void> write(HttpClient http, NodeProcess node, int writer, int i,
                                               Map<String, Acked> acked, AtomicBoolean running, AtomicInteger sent) {
    if (!running.get()) {
      return CompletableFuture.completedFuture(null);
    }
    String key = "killed.k" + ((writer * 7 + i) % KEYS);
    String value = "w" + writer + "-" + i;
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/v1/config/" + key
            + "?env=production")).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + node.adminToken())
        .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("value", value).encode())).build();
    sent.incrementAndGet();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
      if (failure != null) {
        return false; // the node is gone: this write may or may not have committed, and was not acknowledged
      }
      if (response.statusCode() == 200) {
        JsonObject body = new JsonObject(response.body());
        acked.put(value, new Acked(key, body.getInteger("version"), body.getLong("revision")));
        return true;
      }
      throw new AssertionError("PUT " + key + " answered " + response.statusCode() + ": " + response.body());
    }).thenCompose(ok -> ok ? write(http, node, writer, i + 1, acked, running, sent)
        : CompletableFuture.completedFuture(null));
  }
}
