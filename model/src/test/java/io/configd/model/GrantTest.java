package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Grants and principals")
class GrantTest {

  private static final Principal PAYMENT_READER = new Principal("reader", null,
      List.of(new Grant("production", "services.payment", Access.READ)), null);

  @Test
  @DisplayName("a grant covers its prefix and the keys below it in whole segments, not a key that merely starts alike")
  void wholeSegments() {
    Grant grant = new Grant("production", "services.pay", Access.WRITE);
    assertThat(grant.covers(Access.WRITE, "production", ConfigKey.parse("services.pay"))).isTrue();
    assertThat(grant.covers(Access.WRITE, "production", ConfigKey.parse("services.pay.url"))).isTrue();
    assertThat(grant.covers(Access.WRITE, "production", ConfigKey.parse("services.payment.url"))).isFalse();
    assertThat(grant.covers(Access.WRITE, "production", ConfigKey.parse("services"))).isFalse();
    assertThat(grant.covers(Access.WRITE, "staging", ConfigKey.parse("services.pay.url"))).isFalse();
  }

  @Test
  @DisplayName("read < write < admin, each including the lower ones; env * covers every environment")
  void accessLevels() {
    Grant write = new Grant(Grant.ANY_ENV, "", Access.WRITE);
    ConfigKey key = ConfigKey.parse("a.b");
    assertThat(write.covers(Access.READ, "staging", key)).isTrue();
    assertThat(write.covers(Access.WRITE, "production", key)).isTrue();
    assertThat(write.covers(Access.ADMIN, "production", key)).isFalse();
    assertThat(Grant.ROOT.covers(Access.ADMIN, "development", key)).isTrue();
  }

  @Test
  @DisplayName("a subscription or listing is covered only when one grant covers all of it")
  void coversAll() {
    assertThat(PAYMENT_READER.mayAll(Access.READ, "production", "services.payment")).isTrue();
    assertThat(PAYMENT_READER.mayAll(Access.READ, "production", "services.payment.db")).isTrue();
    assertThat(PAYMENT_READER.mayAll(Access.READ, "production", "services")).isFalse();
    assertThat(PAYMENT_READER.mayAll(Access.READ, "production", "")).isFalse();
    assertThat(PAYMENT_READER.isRoot()).isFalse();
  }

  @Test
  @DisplayName("what is readable under a prefix: all of it, the granted prefixes below it, or nothing (forbidden)")
  void readableUnder() {
    assertThat(PAYMENT_READER.readableUnder("production", KeyPrefix.parse("services.payment.db"))).isNull();
    assertThat(PAYMENT_READER.readableUnder("production", KeyPrefix.parse("services"))).containsExactly("services.payment");
    assertThat(PAYMENT_READER.readableUnder("production", KeyPrefix.ALL)).containsExactly("services.payment");
    assertThatThrownBy(() -> PAYMENT_READER.readableUnder("production", KeyPrefix.parse("services.pay")))
        .isInstanceOfSatisfying(ConfigdException.class, e -> assertThat(e.failure()).isEqualTo(Failure.FORBIDDEN));
    assertThatThrownBy(() -> PAYMENT_READER.readableUnder("staging", KeyPrefix.ALL))
        .isInstanceOfSatisfying(ConfigdException.class, e -> assertThat(e.getMessage()).contains("read access on staging"));
  }

  @Test
  @DisplayName("grants are parsed strictly")
  void strictParsing() {
    assertThat(Grant.fromJson(new JsonObject().put("env", "*").put("prefix", "").put("access", "admin"),
        Failure.INVALID_BODY)).isEqualTo(Grant.ROOT);
    for (JsonObject bad : List.of(
        new JsonObject().put("env", "production").put("prefix", "a").put("access", "superuser"),
        new JsonObject().put("env", "Prod!").put("prefix", "a").put("access", "read"),
        new JsonObject().put("env", "production").put("prefix", "a..b").put("access", "read"),
        new JsonObject().put("env", "production").put("prefix", 3).put("access", "read"),
        new JsonObject().put("env", "production").put("prefix", "a").put("access", "read").put("extra", 1),
        new JsonObject().put("prefix", "a").put("access", "read"))) {
      assertThatThrownBy(() -> Grant.fromJson(bad, Failure.INVALID_BODY)).as(bad.encode())
          .isInstanceOfSatisfying(ConfigdException.class, e -> assertThat(e.failure()).isEqualTo(Failure.INVALID_BODY));
    }
  }
}
