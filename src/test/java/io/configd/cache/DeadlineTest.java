package io.configd.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The time limit on a call to a server")
class DeadlineTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("fails a call that never answers with a TimeoutException naming the server")
  void unansweredCallTimesOut() {
    Future<String> call = Deadline.within(vertx, 20, "Redis", Promise.<String>promise().future());
    assertThatThrownBy(call::await).isInstanceOf(TimeoutException.class).hasMessage("Redis did not answer within 20 ms");
  }

  @Test
  @DisplayName("passes on the answer of a call that answers within the limit, and its failure")
  void answeredCallPasses() {
    Promise<String> answer = Promise.promise();
    Future<String> call = Deadline.within(vertx, 5_000, "PostgreSQL", answer.future());
    vertx.setTimer(10, id -> answer.complete("row"));
    assertThat(call.await()).isEqualTo("row");
    IllegalStateException refused = new IllegalStateException("refused");
    assertThatThrownBy(() -> Deadline.within(vertx, 5_000, "PostgreSQL", Future.failedFuture(refused)).await())
        .isSameAs(refused);
  }
}
