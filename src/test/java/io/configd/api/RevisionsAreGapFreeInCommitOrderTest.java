package io.configd.api;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN.md invariant 2: revisions are global, gap-free and in commit order; a reader that has seen R
 * and asks for the changes since R gets every later change exactly once.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Revisions are gap-free and in commit order")
class RevisionsAreGapFreeInCommitOrderTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("RevisionsAreGapFreeInCommitOrderTest");


  @Test
  @DisplayName("50 concurrent writers on one key get versions 1 to 50, no gaps, no duplicates")
  void concurrentWritersOnOneKey() {
    List<Future<HttpResponse<Buffer>>> writes = IntStream.rangeClosed(1, 50)
        .mapToObj(i -> NODE.node().request(HttpMethod.PUT, "/v1/config/race.one?env=production",
            new JsonObject().put("value", i)))
        .toList();
    Future.all(writes).await();

    List<Integer> versions = writes.stream().map(w -> {
      int version = w.result().bodyAsJsonObject().getInteger("version");
      assertThat(w.result().statusCode()).as("the first version creates the key").isEqualTo(version == 1 ? 201 : 200);
      return version;
    }).sorted().toList();
    assertThat(versions).containsExactlyElementsOf(IntStream.rangeClosed(1, 50).boxed().toList());
    var history = NODE.node().get("/v1/config/race.one/versions?env=production&limit=100").bodyAsJsonObject();
    assertThat(history.getJsonArray("items")).hasSize(50);
  }

  @Test
  @DisplayName("50 concurrent compare-and-set writers with the same If-Match: exactly one wins, the rest get 412")
  void concurrentCompareAndSet() {
    NODE.node().put("race.cas", "production", "start");
    List<Future<HttpResponse<Buffer>>> writes = IntStream.rangeClosed(1, 50)
        .mapToObj(i -> NODE.node().request(HttpMethod.PUT, "/v1/config/race.cas?env=production",
            new JsonObject().put("value", i), "If-Match", "\"1\""))
        .toList();
    Future.all(writes).otherwiseEmpty().await();

    long won = writes.stream().filter(w -> w.result().statusCode() == 200).count();
    long refused = writes.stream().filter(w -> w.result().statusCode() == 412).count();
    assertThat(won).isEqualTo(1);
    assertThat(refused).isEqualTo(49);
    assertThat(NODE.node().get("/v1/config/race.cas?env=production").bodyAsJsonObject().getInteger("version")).isEqualTo(2);
  }

  @Test
  @DisplayName("a reader following the change stream during 300 concurrent writes on 30 keys sees every revision exactly once, in order")
  void readerDuringConcurrentWrites() {
    long start = NODE.node().get("/v1/changes?env=staging").bodyAsJsonObject().getLong("head");
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Long> followed = new ArrayList<>();
    Future<Void> follower = follow(start, writing, followed);

    List<Future<HttpResponse<Buffer>>> writes = IntStream.range(0, 300)
        .mapToObj(i -> NODE.node().request(HttpMethod.PUT, "/v1/config/many.key" + (i % 30) + "?env=staging",
            new JsonObject().put("value", i)))
        .toList();
    Future.all(writes).await();
    writing.set(false);
    follower.await();

    List<Long> acknowledged = writes.stream().map(w -> w.result().bodyAsJsonObject().getLong("revision")).sorted().toList();
    assertThat(acknowledged).containsExactlyElementsOf(LongStream.rangeClosed(start + 1, start + 300).boxed().toList());
    assertThat(followed).containsExactlyElementsOf(acknowledged);

    List<Long> fromZero = new ArrayList<>();
    long since = 0;
    boolean more = true;
    while (more) {
      JsonObject page = NODE.node().get("/v1/changes?env=staging&limit=77&since=" + since).bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> fromZero.add(((JsonObject) item).getLong("revision")));
      more = page.getBoolean("more");
      since = page.getLong("next");
    }
    assertThat(fromZero).containsSubsequence(acknowledged).doesNotHaveDuplicates().isSorted();
  }

  /** Polls the change stream from a revision, appending what it reads, until writing stops and it has caught up. */
  private static Future<Void> follow(long since, AtomicBoolean writing, List<Long> into) {
    boolean lastRound = !writing.get();
    return NODE.node().request(HttpMethod.GET, "/v1/changes?env=staging&limit=50&since=" + since, null).compose(response -> {
      JsonObject page = response.bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> into.add(((JsonObject) item).getLong("revision")));
      if (lastRound && !page.getBoolean("more")) {
        return Future.succeededFuture();
      }
      return follow(page.getLong("next"), writing, into);
    });
  }
}
