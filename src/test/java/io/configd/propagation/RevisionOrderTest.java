package io.configd.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The release rule of a node's propagation, on its own; SubscribersReceiveChangesInRevisionOrderTest runs it for real. */
@DisplayName("Revision order on one node")
class RevisionOrderTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<Long> released = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static RevisionOrder.Held change(long revision) {
    return new RevisionOrder.Held(revision, new JsonObject().put("revision", revision), "0,0,", 0);
  }

  private static ConfigValue logged(long revision) {
    return new ConfigValue("k" + revision, "production", revision, 1, revision, false, false, null, Instant.EPOCH, "test", null);
  }

  /** Runs on the Vert.x context, as the propagation verticle does. */
  private void onContext(Runnable action) {
    vertx.runOnContext(v -> action.run());
  }

  @Test
  @DisplayName("changes read out of order are released in revision order, and what is at or below the released revision is a duplicate")
  void releasesInOrder() {
    AtomicBoolean duplicate = new AtomicBoolean();
    RevisionOrder order = new RevisionOrder(vertx, 60_000, 60_000, (after, before, limit) -> Future.succeededFuture(List.of()),
        held -> released.add(held.revision()));
    onContext(() -> {
      order.start(10);
      order.offer(change(13));
      order.offer(change(12));
      duplicate.set(!order.offer(change(9)));
      order.offer(change(11));
      duplicate.set(duplicate.get() && !order.offer(change(12)));
    });
    Eventually.await("three released", Duration.ofSeconds(10), () -> released.size() == 3);
    assertThat(released).containsExactly(11L, 12L, 13L);
    assertThat(duplicate).isTrue();
  }

  @Test
  @DisplayName("a revision Kafka does not bring within the wait is read from the change log, then released before the later ones")
  void fillsGapsFromTheLog() {
    List<long[]> asked = new CopyOnWriteArrayList<>();
    RevisionOrder order = new RevisionOrder(vertx, 20, 60_000, (after, before, limit) -> {
      asked.add(new long[] {after, before});
      return Future.succeededFuture(List.of(logged(2), logged(3)));
    }, held -> released.add(held.revision()));
    onContext(() -> {
      order.start(0);
      order.offer(change(1));
      order.offer(change(4));
    });
    Eventually.await("four released", Duration.ofSeconds(10), () -> released.size() == 4);
    assertThat(released).containsExactly(1L, 2L, 3L, 4L);
    assertThat(asked).singleElement().satisfies(range -> assertThat(range).containsExactly(1, 4));
    assertThat(order.stats().getLong("fromChangeLog")).isEqualTo(2);
    assertThat(order.stats().getLong("skipped")).isZero();
  }

  @Test
  @DisplayName("while the change log cannot answer, the gap is held and asked again up to the bound, then given up and counted; the missing revision is released late if it comes, and until then resumeAfter is the revision before it")
  void givesUpAfterTheBound() {
    List<Long> resumeAfter = new CopyOnWriteArrayList<>();
    RevisionOrder[] self = new RevisionOrder[1];
    RevisionOrder order = new RevisionOrder(vertx, 10, 100, (after, before, limit) -> Future.failedFuture("PostgreSQL is down"),
        held -> {
          released.add(held.revision());
          resumeAfter.add(self[0].resumeAfter());
        });
    self[0] = order;
    onContext(() -> {
      order.start(0);
      order.offer(change(2));
    });
    Eventually.await("revision 2 released past the gap", Duration.ofSeconds(10), () -> released.size() == 1);
    onContext(() -> order.offer(change(1)));
    Eventually.await("revision 1 released late", Duration.ofSeconds(10), () -> released.size() == 2);
    assertThat(released).containsExactly(2L, 1L);
    assertThat(resumeAfter).as("while revision 1 was outstanding, then once it came").containsExactly(0L, -1L);
    JsonObject stats = order.stats();
    assertThat(stats.getLong("skipped")).isEqualTo(1);
    assertThat(stats.getLong("late")).isEqualTo(1);
    assertThat(stats.getLong("gapFetches")).isPositive();
  }

  /** A change log holding every revision up to {@code head}: answers what it has between the bounds. */
  private static List<ConfigValue> logUpTo(long head, long after, long before) {
    return LongStream.range(after + 1, Math.min(before, head + 1)).mapToObj(RevisionOrderTest::logged).toList();
  }

  @Test
  @DisplayName("a gap that opens while the change log answers for an earlier one is asked for in turn, never given up for the earlier answer")
  void aNewGapDuringAFetchIsAskedFor() {
    List<long[]> asked = new CopyOnWriteArrayList<>();
    List<Promise<List<ConfigValue>>> answers = new CopyOnWriteArrayList<>();
    RevisionOrder order = new RevisionOrder(vertx, 10, 60_000, (after, before, limit) -> {
      asked.add(new long[] {after, before});
      Promise<List<ConfigValue>> answer = Promise.promise();
      answers.add(answer);
      return answer.future();
    }, held -> released.add(held.revision()));
    onContext(() -> {
      order.start(0);
      order.offer(change(1));
      order.offer(change(3)); // revision 2 is late: after the wait the change log is asked for it
    });
    Eventually.await("the change log asked for revision 2", Duration.ofSeconds(10), () -> answers.size() == 1);
    // While that answer is on its way Kafka brings revision 2 after all, then 5 before 4 (another partition).
    onContext(() -> {
      order.offer(change(2));
      order.offer(change(5));
      answers.get(0).complete(logUpTo(5, 1, 3));
    });
    Eventually.await("the change log asked for revision 4", Duration.ofSeconds(10), () -> answers.size() == 2);
    onContext(() -> answers.get(1).complete(logUpTo(5, asked.get(1)[0], asked.get(1)[1])));
    Eventually.await("five released", Duration.ofSeconds(10), () -> released.size() == 5);
    assertThat(released).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(asked).last().satisfies(range -> assertThat(range).containsExactly(3, 5));
    assertThat(order.stats().getLong("skipped")).isZero();
  }

  @Test
  @DisplayName("a revision the change log does not hold within the range it was asked for is given up at once and counted")
  void givesUpWhatTheLogDoesNotHold() {
    RevisionOrder order = new RevisionOrder(vertx, 10, 60_000, (after, before, limit) -> Future.succeededFuture(List.of()),
        held -> released.add(held.revision()));
    onContext(() -> {
      order.start(0);
      order.offer(change(2));
    });
    Eventually.await("revision 2 released past the gap", Duration.ofSeconds(10), () -> released.size() == 1);
    assertThat(order.stats().getLong("skipped")).isEqualTo(1);
    assertThat(order.resumeAfter()).as("compacted, not outstanding: nothing to resume before").isEqualTo(-1);
    assertThat(order.stats().getInteger("outstanding")).isZero();
  }

  @Test
  @DisplayName("an outstanding revision (given up while the change log could not answer) is asked for again, and released late from the log once it answers")
  void outstandingIsReadFromTheLogOnceItAnswers() {
    AtomicBoolean down = new AtomicBoolean(true);
    List<Long> resumeAfter = new CopyOnWriteArrayList<>();
    RevisionOrder[] self = new RevisionOrder[1];
    RevisionOrder order = new RevisionOrder(vertx, 10, 100, (after, before, limit) -> down.get()
        ? Future.failedFuture("PostgreSQL is down") : Future.succeededFuture(logUpTo(2, after, before)),
        held -> {
          released.add(held.revision());
          resumeAfter.add(self[0].resumeAfter());
        });
    self[0] = order;
    onContext(() -> {
      order.start(0);
      order.offer(change(2));
    });
    Eventually.await("revision 2 released past the gap", Duration.ofSeconds(10), () -> released.size() == 1);
    assertThat(order.stats().getInteger("outstanding")).isEqualTo(1);
    down.set(false);
    Eventually.await("revision 1 released late from the log", Duration.ofSeconds(10), () -> released.size() == 2);
    assertThat(released).containsExactly(2L, 1L);
    assertThat(resumeAfter).containsExactly(0L, -1L);
    AtomicBoolean duplicate = new AtomicBoolean();
    onContext(() -> duplicate.set(!order.offer(change(1))));
    Eventually.await("Kafka's copy of revision 1 taken", Duration.ofSeconds(10), duplicate::get);
    JsonObject stats = order.stats();
    assertThat(stats.getInteger("outstanding")).isZero();
    assertThat(stats.getLong("late")).isEqualTo(1);
    assertThat(released).hasSize(2);
  }

  @Test
  @DisplayName("an outstanding revision the change log then answers it does not hold was compacted: outstanding no more, Kafka's copy still released late")
  void outstandingTheLogDoesNotHoldIsDropped() {
    AtomicBoolean down = new AtomicBoolean(true);
    RevisionOrder order = new RevisionOrder(vertx, 10, 100, (after, before, limit) -> down.get()
        ? Future.failedFuture("PostgreSQL is down") : Future.succeededFuture(List.of()),
        held -> released.add(held.revision()));
    onContext(() -> {
      order.start(0);
      order.offer(change(2));
    });
    Eventually.await("revision 2 released past the gap", Duration.ofSeconds(10), () -> released.size() == 1);
    assertThat(order.resumeAfter()).isZero();
    down.set(false);
    Eventually.await("revision 1 outstanding no more", Duration.ofSeconds(10), () -> order.stats().getInteger("outstanding") == 0);
    assertThat(order.stats().getValue("resumeAfter")).isNull();
    onContext(() -> order.offer(change(1)));
    Eventually.await("revision 1 released late from Kafka", Duration.ofSeconds(10), () -> released.size() == 2);
    assertThat(released).containsExactly(2L, 1L);
  }
}
