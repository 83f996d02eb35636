package io.configd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNodeExtension;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18 item 1: concurrent writes on a node share a commit (group commit) and keep DESIGN.md's invariants 2 and 6:
 * revisions gap-free in commit order, and a refused write writes nothing.
 */
@DisplayName("Concurrent writes are group-committed and keep their own outcomes")
class GroupCommitTest {

  private static final int WRITERS = 64;
  private static final int WRITES_EACH = 200;
  private static final int KEYS = 50;
  private static final String ENV = "staging";

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("GroupCommitTest", config -> config.getJsonObject("auth")
      .put("limits", new JsonObject().put("writesPerSecond", 1_000_000).put("writeBurst", 1_000_000)
          .put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000)));

  record Accepted(String key, String value, int version, long revision) {
  }

  @Test
  @DisplayName("64 writers x 200 writes over 50 keys with random If-Match: unique versions, 412s write nothing, "
      + "revisions gap-free in commit order, histories match the accepted writes")
  void concurrentWritersWithRandomIfMatch() {
    long start = NODE.node().get("/v1/changes?env=" + ENV).bodyAsJsonObject().getLong("head");
    List<Accepted> accepted = Collections.synchronizedList(new ArrayList<>());
    Set<String> refused = ConcurrentHashMap.newKeySet();
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    List<Future<Void>> writers = IntStream.range(0, WRITERS)
        .mapToObj(w -> writer(w, 0, accepted, refused, seen)).toList();
    Future.all(writers).await();

    assertThat(accepted.size() + refused.size()).isEqualTo(WRITERS * WRITES_EACH);
    assertThat(accepted).hasSizeGreaterThan(KEYS);
    assertThat(refused).isNotEmpty();

    // every 200's version is unique per key, and its revision is unique and gap-free across all
    Map<String, Set<Integer>> versions = new HashMap<>();
    for (Accepted a : accepted) {
      assertThat(versions.computeIfAbsent(a.key(), k -> new HashSet<>()).add(a.version()))
          .as("version %d of %s acknowledged twice", a.version(), a.key()).isTrue();
    }
    List<Long> revisions = accepted.stream().map(Accepted::revision).sorted().toList();
    assertThat(revisions).containsExactlyElementsOf(
        LongStream.rangeClosed(start + 1, start + accepted.size()).boxed().toList());

    // the change stream holds exactly the accepted writes, in revision order, and per key in version order
    Map<Long, Accepted> byRevision = new HashMap<>();
    accepted.forEach(a -> byRevision.put(a.revision(), a));
    List<Long> streamed = new ArrayList<>();
    Map<String, Integer> lastVersion = new HashMap<>();
    long since = start;
    boolean more = true;
    while (more) {
      JsonObject page = NODE.node().get("/v1/changes?env=" + ENV + "&limit=1000&since=" + since).bodyAsJsonObject();
      for (Object item : page.getJsonArray("items")) {
        JsonObject change = (JsonObject) item;
        Accepted a = byRevision.get(change.getLong("revision"));
        assertThat(a).as("revision %d was never acknowledged", change.getLong("revision")).isNotNull();
        assertThat(change.getString("key")).isEqualTo(a.key());
        assertThat(change.getInteger("version")).isEqualTo(a.version());
        assertThat(change.getString("value")).isEqualTo(a.value());
        assertThat(change.containsKey("txn")).isFalse();
        Integer before = lastVersion.put(a.key(), a.version());
        assertThat(a.version()).as("versions of %s in commit order", a.key()).isEqualTo(before == null ? 1 : before + 1);
        streamed.add(change.getLong("revision"));
      }
      more = page.getBoolean("more");
      since = page.getLong("next");
    }
    assertThat(streamed).containsExactlyElementsOf(revisions);

    // each key's history is exactly its accepted writes; no refused value was ever written
    for (int k = 0; k < KEYS; k++) {
      String key = key(k);
      Map<Integer, String> expected = new HashMap<>();
      accepted.stream().filter(a -> a.key().equals(key)).forEach(a -> expected.put(a.version(), a.value()));
      Map<Integer, String> history = new HashMap<>();
      JsonObject page = NODE.node().get("/v1/config/" + key + "/versions?env=" + ENV + "&limit=1000").bodyAsJsonObject();
      for (Object item : page.getJsonArray("items")) {
        JsonObject version = (JsonObject) item;
        history.put(version.getInteger("version"), version.getString("value"));
        assertThat(refused).doesNotContain(version.getString("value"));
      }
      assertThat(page.getString("next")).isNull();
      assertThat(history).as("history of %s", key).isEqualTo(expected);
    }

    JsonObject stats = NODE.node().get("/v1/stats/writes").bodyAsJsonObject();
    assertThat(stats.getLong("writes")).isGreaterThanOrEqualTo(WRITERS * WRITES_EACH);
    assertThat(stats.getLong("largestBatch")).as("concurrent writes shared a commit: %s", stats).isGreaterThan(1);
    assertThat(stats.getLong("batches")).isLessThan(stats.getLong("writes"));
    JsonObject stages = stats.getJsonObject("stages");
    for (String stage : List.of("request", "guard", "queued", "batch", "settle")) {
      assertThat(stages.getJsonObject(stage).getLong("samples")).as("%s: every write timed", stage)
          .isGreaterThanOrEqualTo(WRITERS * WRITES_EACH);
    }
    // a refused If-Match is timed up to its outcome only: what was told to the cache and answered 200 is the rest
    assertThat(stages.getJsonObject("total").getLong("samples")).isEqualTo(stages.getJsonObject("cache").getLong("samples"))
        .isGreaterThan(0);
  }

  /** Writes one value after another; If-Match is none, the version last seen (often stale) or a random one. */
  private static Future<Void> writer(int writer, int i, List<Accepted> accepted, Set<String> refused,
                                     Map<String, Integer> seen) {
    if (i == WRITES_EACH) {
      return Future.succeededFuture();
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String key = key(random.nextInt(KEYS));
    String value = "w" + writer + "-" + i;
    int choice = random.nextInt(10);
    String ifMatch = choice < 2 ? null
        : choice < 8 ? "\"" + seen.getOrDefault(key, 1) + "\""
        : "\"" + (1 + random.nextInt(Math.max(1, seen.getOrDefault(key, 1) + 2))) + "\"";
    String[] headers = ifMatch == null ? new String[0] : new String[] {"If-Match", ifMatch};
    return NODE.node().request(HttpMethod.PUT, "/v1/config/" + key + "?env=" + ENV,
            new JsonObject().put("value", value), headers)
        .compose(response -> {
          record(key, value, response, accepted, refused, seen);
          return writer(writer, i + 1, accepted, refused, seen);
        });
  }

  private static void record(String key, String value, HttpResponse<Buffer> response, List<Accepted> accepted,
                             Set<String> refused, Map<String, Integer> seen) {
    if (response.statusCode() == 200 || response.statusCode() == 201) { // 201: the key's first version
      JsonObject body = response.bodyAsJsonObject();
      accepted.add(new Accepted(key, value, body.getInteger("version"), body.getLong("revision")));
      seen.merge(key, body.getInteger("version"), Math::max);
    } else if (response.statusCode() == 412) {
      assertThat(response.bodyAsJsonObject().getString("type")).endsWith("/precondition-failed");
      refused.add(value);
      // an If-Match on a key never written is a 412 too
      Integer current = response.bodyAsJsonObject().getInteger("current");
      if (current != null && current > 0) {
        seen.merge(key, current, Math::max);
      }
    } else {
      throw new AssertionError("PUT " + key + " answered " + response.statusCode() + ": " + response.bodyAsString());
    }
  }

  private static String key(int k) {
    return "group.key" + k;
  }
}
