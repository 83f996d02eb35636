package io.configd.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
  @DisplayName("while the change log cannot answer, the gap is held and asked again up to the bound, then given up and counted; the missing revision is released late if it comes")
  void givesUpAfterTheBound() {
    RevisionOrder order = new RevisionOrder(vertx, 10, 100, (after, before, limit) -> Future.failedFuture("PostgreSQL is down"),
        held -> released.add(held.revision()));
    onContext(() -> {
      order.start(0);
      order.offer(change(2));
    });
    Eventually.await("revision 2 released past the gap", Duration.ofSeconds(10), () -> released.size() == 1);
    onContext(() -> order.offer(change(1)));
    Eventually.await("revision 1 released late", Duration.ofSeconds(10), () -> released.size() == 2);
    assertThat(released).containsExactly(2L, 1L);
    JsonObject stats = order.stats();
    assertThat(stats.getLong("skipped")).isEqualTo(1);
    assertThat(stats.getLong("late")).isEqualTo(1);
    assertThat(stats.getLong("gapFetches")).isPositive();
  }
}
