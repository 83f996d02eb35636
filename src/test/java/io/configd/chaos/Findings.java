package io.configd.chaos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The checker's verdict: per check, how many things it looked at and what it found wrong; and the run's figures. */
final class Findings {

  private static final int SHOWN = 10;

  record Check(String name, long checked, List<String> violations) {
    boolean passed() {
      return violations.isEmpty();
    }
  }

  private final Map<String, Check> checks = new LinkedHashMap<>();
  private final List<String> figures = new ArrayList<>();

  /** Opens (or continues) a check; every violation added to it is reported. */
  Check check(String name) {
    return checks.computeIfAbsent(name, n -> new Check(n, 0, new ArrayList<>()));
  }

  void checked(String name, long count) {
    Check check = check(name);
    checks.put(name, new Check(name, check.checked() + count, check.violations()));
  }

  void violation(String name, String what) {
    check(name).violations().add(what);
  }

  void figure(String line) {
    figures.add(line);
  }

  List<Check> checks() {
    return List.copyOf(checks.values());
  }

  long violations() {
    return checks.values().stream().mapToLong(check -> check.violations().size()).sum();
  }

  /** The violations of every check, for a test's failure message. */
  List<String> allViolations() {
    List<String> all = new ArrayList<>();
    checks.values().forEach(check -> check.violations().forEach(v -> all.add(check.name() + ": " + v)));
    return all;
  }

  String report() {
    StringBuilder out = new StringBuilder();
    figures.forEach(line -> out.append(line).append('\n'));
    out.append('\n');
    for (Check check : checks.values()) {
      out.append(String.format("%-4s %s (%d checked, %d violations)%n", check.passed() ? "ok" : "FAIL", check.name(),
          check.checked(), check.violations().size()));
      check.violations().stream().limit(SHOWN).forEach(v -> out.append("       ").append(v).append('\n'));
      if (check.violations().size() > SHOWN) {
        out.append("       … and ").append(check.violations().size() - SHOWN).append(" more\n");
      }
    }
    out.append(violations() == 0 ? "\nchaos: no violation\n" : "\nchaos: " + violations() + " violations\n");
    return out.toString();
  }
}
