package io.configd.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run of bin/test (bin/chaos --short): every fault once, each held 5 s, against three nodes and a
 * PostgreSQL, Redis and Kafka of the run's own; the checker must find nothing.
 */
@DisplayName("A short chaos run")
class ChaosTest {

  @Test
  @DisplayName("under node kills and freezes, Kafka, Redis and PostgreSQL faults and a partition, keeps every invariant")
  void keepsEveryInvariant() throws Exception {
    Findings findings = new ChaosRun(ChaosOptions.short_(), Path.of("target", "chaos", "ChaosTest").toAbsolutePath()).run();
    System.out.print(findings.report());

    assertThat(findings.allViolations()).as(findings.report()).isEmpty();
  }
}
