package io.configd.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The checker, tested against a relay that loses and forges changes ({@link BrokenRelay}: it holds the publisher's
 * lock, so no node relays, marks every 5th change relayed without sending it and sends every 7th with a value that
 * was never written). The run has no faults: every violation the checker reports is the relay's. Subscribers are not
 * among the losers (the nodes fill a revision Kafka lacks from PostgreSQL before releasing later ones), but they do
 * receive the forged values, which only the subscriber check can see.
 */
@DisplayName("The chaos checker")
class ChaosCheckerTest {

  @Test
  @DisplayName("reports each change a broken relay lost (missing from Kafka and the audit log, while subscribers get it "
      + "from the change log) and each it forged (subscribers got a value PostgreSQL never held)")
  void reportsTheLoss() throws Exception {
    ChaosOptions options = new ChaosOptions(Duration.ofSeconds(15), Duration.ZERO, Duration.ZERO, 2, 1, 2, 3, 1, 2, 0,
        Duration.ofMillis(50), Duration.ofSeconds(30), List.of());
    AtomicReference<BrokenRelay> relay = new AtomicReference<>();
    Findings findings;
    try {
      findings = new ChaosRun(options, Path.of("target", "chaos", "ChaosCheckerTest").toAbsolutePath())
          .run(cluster -> relay.set(new BrokenRelay(cluster, 5, 7)), () -> relay.get().dropped().size());
    } finally {
      if (relay.get() != null) {
        relay.get().close();
      }
    }
    System.out.print(findings.report());
    List<Long> dropped = relay.get().dropped();

    assertThat(dropped).as("the broken relay dropped changes").isNotEmpty();
    List<Long> forged = relay.get().forged();
    List<Long> wrongInKafka = new ArrayList<>(dropped);
    wrongInKafka.addAll(forged);
    assertThat(violations(findings, Checker.KAFKA)).as(findings.report()).hasSize(wrongInKafka.size())
        .allSatisfy(v -> assertThat(wrongInKafka).anySatisfy(r -> assertThat(v).startsWith("revision " + r + " ")));
    assertThat(violations(findings, Checker.AUDIT)).hasSize(dropped.size());
    // Subscribers still get every change a relay lost: each node's revision order reads a revision Kafka never brings
    // from PostgreSQL's change log (RevisionOrder's gap path), so a loss reaches Kafka and the audit log only. A
    // forged change is in Kafka under its revision: subscribers apply it, and only the subscriber check can see it.
    List<String> wrongValues = violations(findings, Checker.SUBSCRIBERS);
    assertThat(forged).as("the broken relay forged changes").isNotEmpty();
    assertThat(wrongValues).as(findings.report()).isNotEmpty()
        .allSatisfy(v -> assertThat(forged).anySatisfy(r -> assertThat(v).contains("revision=" + r + ", id=forged-" + r)));
    assertThat(forged).as("every forged change under the subscribers' prefix is reported")
        .allSatisfy(r -> assertThat(wrongValues).anySatisfy(v -> assertThat(v).contains("id=forged-" + r + "]")));
    assertThat(violations(findings, Checker.ACKED)).as("PostgreSQL holds every acknowledged write").isEmpty();
    assertThat(violations(findings, Checker.CAS)).isEmpty();
    assertThat(violations(findings, Checker.ONCE)).isEmpty();
  }

  private static List<String> violations(Findings findings, String check) {
    return findings.checks().stream().filter(c -> c.name().equals(check)).flatMap(c -> c.violations().stream()).toList();
  }
}
