package io.configd.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The test's reader of the exposition format refuses what Prometheus would refuse, so that MetricsTest means something. */
@DisplayName("The Prometheus text reader of the tests")
class PrometheusTextTest {

  private static final String GOOD = """
      # HELP lag_seconds lag
      # TYPE lag_seconds histogram
      lag_seconds_bucket{node="a",le="0.1"} 1.0
      lag_seconds_bucket{node="a",le="+Inf"} 2.0
      lag_seconds_count{node="a"} 2.0
      lag_seconds_sum{node="a"} 0.3
      # TYPE sockets gauge
      sockets{transport="web\\"socket"} 3.0
      """;

  @Test
  @DisplayName("reads samples, labels with escapes and histograms")
  void readsAGoodExposition() {
    PrometheusText text = PrometheusText.parse(GOOD);
    assertThat(text.value("sockets", "transport", "web\"socket")).isEqualTo(3);
    assertThat(text.value("lag_seconds_count")).isEqualTo(2);
  }

  @Test
  @DisplayName("refuses a sample without TYPE, a bad label, a non-number, non-cumulative buckets, +Inf unlike _count")
  void refusesBrokenExpositions() {
    assertThatThrownBy(() -> PrometheusText.parse("orphan 1\n")).hasMessageContaining("no TYPE");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE g gauge\ng{a=b} 1\n")).hasMessageContaining("expected '\"'");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE g gauge\ng one\n")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrometheusText.parse(GOOD.replace("le=\"0.1\"} 1.0", "le=\"0.1\"} 5.0")))
        .hasMessageContaining("cumulative");
    assertThatThrownBy(() -> PrometheusText.parse(GOOD.replace("lag_seconds_count{node=\"a\"} 2.0",
        "lag_seconds_count{node=\"a\"} 3.0"))).hasMessageContaining("differs");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE g gauge\ng 1")).hasMessageContaining("line feed");
  }
}
