package io.configd.instances;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.model.Instance;
import io.configd.model.InstanceAck;
import io.configd.store.InstancePresence;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a node keeps of one long-lived instance does not grow with its lifetime: the keys it applied are those its
 * watches still cover, at most what one ack may name, and a gone instance is listed under what it watched when it left;
 * an instance that only reads over HTTP is recorded under at most as many prefixes as a bridge socket may watch.
 */
@DisplayName("What the node keeps of an instance stays bounded")
class InstanceBookStaysBoundedTest {

  private static final int MAX_WATCHES = 8;
  private static final Instance POD = new Instance("pod-1", "payment", Map.of("zone", "eu-1"));

  private static InstancePresence only(InstanceBook book) {
    List<InstancePresence> changed = book.changed(0);
    assertThat(changed).hasSize(1);
    return changed.get(0);
  }

  private static Map<String, Long> keys(String prefix, int from, int count) {
    Map<String, Long> keys = new TreeMap<>();
    for (int i = from; i < from + count; i++) {
      keys.put(prefix + ".k" + i, 1L);
    }
    return keys;
  }

  @Test
  @DisplayName("the keys of a watch it ended are dropped; the others stay")
  void unwatchedKeysDropped() {
    InstanceBook book = new InstanceBook("node-1", MAX_WATCHES);
    InstanceBook.Connection socket = book.connect(POD, "websocket");
    socket.watch("production", "services.payment");
    socket.watch("production", "services.billing");
    socket.ack(new InstanceAck("production", 10, Map.of("services.payment.pool", 3L, "services.billing.rate", 2L), 0));
    assertThat(only(book).acks().get("production").keys()).containsOnlyKeys("services.payment.pool",
        "services.billing.rate");

    socket.unwatch("production", "services.billing");
    assertThat(only(book).acks().get("production").keys()).containsOnlyKeys("services.payment.pool");
    assertThat(only(bookAfterClose(book, socket)).watches()).containsExactly("production:services.payment");
  }

  private static InstanceBook bookAfterClose(InstanceBook book, InstanceBook.Connection socket) {
    socket.close();
    return book;
  }

  @Test
  @DisplayName("acks naming ever new keys keep at most as many as one ack may name, the newest ack's all kept")
  void keysCapped() {
    InstanceBook book = new InstanceBook("node-1", MAX_WATCHES);
    InstanceBook.Connection socket = book.connect(POD, "websocket");
    socket.watch("production", "");
    for (int batch = 0; batch < 3; batch++) {
      socket.ack(new InstanceAck("production", batch + 1, keys("app", batch * InstanceAck.MAX_KEYS,
          InstanceAck.MAX_KEYS), 0));
    }
    Map<String, Long> kept = only(book).acks().get("production").keys();
    assertThat(kept.size()).isEqualTo(InstanceAck.MAX_KEYS);
    assertThat(kept.keySet().containsAll(keys("app", 2 * InstanceAck.MAX_KEYS, InstanceAck.MAX_KEYS).keySet()))
        .as("the newest ack's keys are all kept").isTrue();
  }

  @Test
  @DisplayName("a gone instance is listed under what its sockets watched when it left, not every prefix it ever watched")
  void goneUnderItsLastWatches() {
    InstanceBook book = new InstanceBook("node-1", MAX_WATCHES);
    InstanceBook.Connection first = book.connect(POD, "websocket");
    for (int i = 0; i < 100; i++) {
      first.watch("production", "feature.f" + i);
      first.unwatch("production", "feature.f" + i);
    }
    first.watch("production", "services.payment");
    first.close();
    InstancePresence gone = only(book);
    assertThat(gone.gone()).isTrue();
    assertThat(gone.watches()).containsExactly("production:services.payment");
  }

  @Test
  @DisplayName("an instance reading ever new keys over HTTP is kept under as many prefixes as a socket may watch, "
      + "the most recently read, and the keys of those dropped with them")
  void httpReadsCapped() {
    InstanceBook book = new InstanceBook("node-1", MAX_WATCHES);
    book.read(POD, "production", "services.payment");
    book.ack(POD, new InstanceAck("production", 1, Map.of("services.payment", 1L), 0));
    for (int i = 0; i < 1000; i++) {
      book.read(POD, "production", "feature.f" + i);
      if (i % 5 == 0) {
        book.read(POD, "production", "services.payment"); // read again and again: it stays
      }
      book.ack(POD, new InstanceAck("production", i + 2, Map.of("feature.f" + i, 1L), 0));
    }
    InstancePresence reader = only(book);
    assertThat(reader.watches()).hasSize(MAX_WATCHES).contains("production:services.payment",
        "production:feature.f999", "production:feature.f993").doesNotContain("production:feature.f0");
    assertThat(reader.acks().get("production").keys().keySet())
        .as("only keys of the prefixes it is still recorded under")
        .allMatch(key -> reader.watches().contains("production:" + key));
  }

  @Test
  @DisplayName("an HTTP read again of a recorded prefix changes nothing to write")
  void repeatedReadNotDirty() {
    InstanceBook book = new InstanceBook("node-1", MAX_WATCHES);
    book.read(POD, "production", "services.payment");
    assertThat(book.changed(Long.MAX_VALUE)).hasSize(1);
    book.read(POD, "production", "services.payment");
    assertThat(book.changed(Long.MAX_VALUE)).isEmpty();
  }
}
