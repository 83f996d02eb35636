package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The query rules both doors share")
class QueryRulesTest {

  @Test
  @DisplayName("a limit is a whole number from 1 to 1000, as text or as JSON, with one message for each fault")
  void limit() {
    assertThat(QueryRules.limit((String) null, 100)).isEqualTo(100);
    assertThat(QueryRules.limit((Object) null, 1000)).isEqualTo(1000);
    assertThat(QueryRules.limit("1000", 100)).isEqualTo(1000);
    assertThat(QueryRules.limit((Object) 1, 100)).isEqualTo(1);
    for (Object bad : new Object[] {0, 1001, 5000L, -1}) {
      assertThatThrownBy(() -> QueryRules.limit(bad, 100)).hasMessage("limit must be between 1 and 1000");
      assertThatThrownBy(() -> QueryRules.limit(bad.toString(), 100)).hasMessage("limit must be between 1 and 1000");
    }
    assertThatThrownBy(() -> QueryRules.limit("ten", 100)).isInstanceOf(ConfigdException.class)
        .hasMessage("limit must be a whole number, not 'ten'");
    assertThatThrownBy(() -> QueryRules.limit((Object) 2.5, 100)).isInstanceOf(ConfigdException.class);
  }

  @Test
  @DisplayName("since is a revision, 0 or more; over HTTP it defaults to 0, in a bridge body it is required")
  void since() {
    assertThat(QueryRules.since((String) null)).isZero();
    assertThat(QueryRules.since("42")).isEqualTo(42);
    assertThat(QueryRules.since((Object) 42L)).isEqualTo(42);
    assertThatThrownBy(() -> QueryRules.since("-1")).hasMessageContaining("since must be a revision number");
    assertThatThrownBy(() -> QueryRules.since((Object) null)).hasMessageContaining("since must be a revision number");
    assertThatThrownBy(() -> QueryRules.since((Object) "42")).hasMessageContaining("since must be a revision number");
  }
}
