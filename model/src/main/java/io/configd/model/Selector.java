package io.configd.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A label selector, as Kubernetes writes them: requirements separated by commas, all of which must hold.
 * {@code zone=eu-1}, {@code zone==eu-1}, {@code zone!=eu-1}, {@code version in (2.3.1, 2.3.2)},
 * {@code version notin (2.3.0)}, {@code canary} (the label is set), {@code !canary} (it is not).
 * An instance's labels are a map of names to values; a label it lacks fails every requirement on it but
 * {@code !=}, {@code notin} and {@code !}.
 */
public final class Selector {

  /** Label names and values: letters, digits and {@code _ . - /}, 1 to 63 characters (names up to 253). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_./-]{0,251}[A-Za-z0-9])?");
  private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?");
  public static final int MAX_LENGTH = 1024;
  private static final int MAX_REQUIREMENTS = 32;

  enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

  record Requirement(String label, Operator operator, Set<String> values) {

    boolean matches(Map<String, String> labels) {
      String value = labels.get(label);
      return switch (operator) {
        case EQUALS, IN -> value != null && values.contains(value);
        case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
        case EXISTS -> value != null;
        case NOT_EXISTS -> value == null;
      };
    }

    String canonical() {
      return switch (operator) {
        case EQUALS -> label + "=" + values.iterator().next();
        case NOT_EQUALS -> label + "!=" + values.iterator().next();
        case IN -> label + " in (" + String.join(", ", values) + ")";
        case NOT_IN -> label + " notin (" + String.join(", ", values) + ")";
        case EXISTS -> label;
        case NOT_EXISTS -> "!" + label;
      };
    }
  }

  private final List<Requirement> requirements;

  private Selector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** True when the labels satisfy every requirement. */
  public boolean matches(Map<String, String> labels) {
    Map<String, String> held = labels == null ? Map.of() : labels;
    for (Requirement requirement : requirements) {
      if (!requirement.matches(held)) {
        return false;
      }
    }
    return true;
  }

  /** The selector in one spelling (spaces normalised, set members sorted): what is stored and shown. */
  @Override
  public String toString() {
    return String.join(",", requirements.stream().map(Requirement::canonical).toList());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Selector selector && selector.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  /**
   * Parses a selector; fails with {@link Failure#INVALID_BODY} saying what is wrong and what is allowed. An empty
   * selector is refused: target every instance with a percentage of 100 instead.
   */
  public static Selector parse(String text) {
    if (text == null || text.isBlank()) {
      throw invalid(text, "it is empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw invalid(text.substring(0, 40) + "…", "it is longer than " + MAX_LENGTH + " characters");
    }
    List<Requirement> requirements = new ArrayList<>();
    for (String part : split(text)) {
      requirements.add(requirement(text, part.trim()));
    }
    if (requirements.size() > MAX_REQUIREMENTS) {
      throw invalid(text, "it has more than " + MAX_REQUIREMENTS + " requirements");
    }
    return new Selector(List.copyOf(requirements));
  }

  /** The requirements, split at the commas outside parentheses. */
  private static List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        if (++depth > 1) {
          throw invalid(text, "parentheses nest");
        }
      } else if (c == ')') {
        if (--depth < 0) {
          throw invalid(text, "a ')' has no '('");
        }
      } else if (c == ',' && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    if (depth != 0) {
      throw invalid(text, "a '(' is not closed");
    }
    parts.add(text.substring(start));
    return parts;
  }

  private static Requirement requirement(String text, String part) {
    if (part.isEmpty()) {
      throw invalid(text, "a requirement between commas is empty");
    }
    int paren = part.indexOf('(');
    if (paren >= 0) {
      if (!part.endsWith(")")) {
        throw invalid(text, "'" + part + "' has something after its ')'");
      }
      String[] head = part.substring(0, paren).trim().split("\\s+");
      if (head.length != 2 || !(head[1].equals("in") || head[1].equals("notin"))) {
        throw invalid(text, "'" + part + "' is not 'label in (a, b)' or 'label notin (a, b)'");
      }
      Set<String> values = new TreeSet<>();
      for (String value : part.substring(paren + 1, part.length() - 1).split(",", -1)) {
        values.add(value(text, value.trim()));
      }
      return new Requirement(name(text, head[0]), head[1].equals("in") ? Operator.IN : Operator.NOT_IN,
          values);
    }
    int notEquals = part.indexOf("!=");
    if (notEquals >= 0) {
      return new Requirement(name(text, part.substring(0, notEquals).trim()), Operator.NOT_EQUALS,
          Set.of(value(text, part.substring(notEquals + 2).trim())));
    }
    int equals = part.indexOf('=');
    if (equals >= 0) {
      int end = part.startsWith("==", equals) ? equals + 2 : equals + 1;
      return new Requirement(name(text, part.substring(0, equals).trim()), Operator.EQUALS,
          Set.of(value(text, part.substring(end).trim())));
    }
    if (part.startsWith("!")) {
      return new Requirement(name(text, part.substring(1).trim()), Operator.NOT_EXISTS, Set.of());
    }
    return new Requirement(name(text, part), Operator.EXISTS, Set.of());
  }

  private static String name(String text, String name) {
    if (!NAME.matcher(name).matches()) {
      throw invalid(text, "'" + name + "' is not a label name (letters, digits and _ . - /, starting and ending with a"
          + " letter or digit)");
    }
    return name;
  }

  private static String value(String text, String value) {
    if (!VALUE.matcher(value).matches()) {
      throw invalid(text, "'" + value + "' is not a label value (1 to 63 letters, digits and _ . -, starting and "
          + "ending with a letter or digit)");
    }
    return value;
  }

  private static ConfigdException invalid(String text, String why) {
    return new ConfigdException(Failure.INVALID_BODY, "selector '" + text + "' is invalid: " + why + "; a selector is "
        + "requirements separated by commas, each 'label=value', 'label!=value', 'label in (a, b)', "
        + "'label notin (a, b)', 'label' or '!label', e.g. \"zone=eu-1,version in (2.3.1, 2.3.2)\"");
  }
}
