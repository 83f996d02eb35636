package io.configd.chaos;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * bin/chaos: a chaos run of its own cluster (see {@link ChaosRun}); prints the checker's findings and exits 0 when
 * there is no violation, 1 when there is one, 2 when the run itself could not be made.
 */
public final class Chaos {

  private Chaos() {
  }

  public static void main(String[] args) {
    ChaosOptions options;
    try {
      options = ChaosOptions.parse(List.of(args));
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("chaos: " + e.getMessage());
      }
      System.err.println(ChaosOptions.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    Path dir = Path.of("target", "chaos", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
        .toAbsolutePath();
    int exit;
    try {
      Findings findings = new ChaosRun(options, dir).run();
      System.out.print(findings.report());
      System.out.println("chaos: report in " + dir.resolve("report.txt"));
      exit = findings.violations() == 0 ? 0 : 1;
    } catch (Exception | Error e) {
      System.err.println("chaos: the run failed: " + e);
      e.printStackTrace();
      exit = 2;
    }
    System.exit(exit);
  }
}
