package io.configd.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line is a comment, a HELP or TYPE
 * line, or a sample with a valid metric name, well-formed labels (escapes included) and a float value; a family's TYPE
 * comes before its samples and once only; a sample's name belongs to its family's type (_bucket, _sum, _count for a
 * histogram); a histogram's buckets are cumulative, end with le="+Inf" and that bucket equals its _count. Anything else
 * throws with the line number.
 */
final class PrometheusText {

  record Sample(String name, Map<String, String> labels, double value) {
  }

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final List<String> TYPES = List.of("counter", "gauge", "histogram", "summary", "untyped");

  private final Map<String, String> types = new HashMap<>();
  private final List<Sample> samples = new ArrayList<>();

  static PrometheusText parse(String text) {
    PrometheusText parsed = new PrometheusText();
    String[] lines = text.split("\n", -1);
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition must end with a line feed");
    }
    for (int i = 0; i < lines.length - 1; i++) {
      try {
        parsed.line(lines[i]);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " '" + lines[i] + "': " + e.getMessage(), e);
      }
    }
    parsed.checkHistograms();
    return parsed;
  }

  List<Sample> samples() {
    return samples;
  }

  String type(String family) {
    return types.get(family);
  }

  /** The one sample with this name and at least these labels; fails when there is none or more than one. */
  double value(String name, String... labels) {
    List<Sample> found = find(name, labels);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " samples " + name + " with labels " + String.join(",", labels)
          + " (expected one)");
    }
    return found.get(0).value();
  }

  /** The samples with this name whose labels include these (alternating names and values). */
  List<Sample> find(String name, String... labels) {
    return samples.stream().filter(sample -> sample.name().equals(name)).filter(sample -> {
      for (int i = 0; i + 1 < labels.length; i += 2) {
        if (!labels[i + 1].equals(sample.labels().get(labels[i]))) {
          return false;
        }
      }
      return true;
    }).toList();
  }

  boolean hasFamily(String family) {
    return types.containsKey(family);
  }

  private void line(String line) {
    if (line.isEmpty()) {
      return;
    }
    if (line.startsWith("#")) {
      comment(line);
      return;
    }
    Cursor cursor = new Cursor(line);
    String name = cursor.name();
    Map<String, String> labels = cursor.peek() == '{' ? cursor.labels() : Map.of();
    cursor.expect(' ');
    String rest = cursor.rest().trim();
    String[] parts = rest.split(" ");
    if (parts.length > 2) {
      throw new IllegalArgumentException("a sample is a name, labels, a value and an optional timestamp");
    }
    double value = number(parts[0]);
    if (parts.length == 2) {
      Long.parseLong(parts[1]);
    }
    String family = family(name);
    if (family == null) {
      throw new IllegalArgumentException("sample " + name + " has no TYPE line before it");
    }
    samples.add(new Sample(name, labels, value));
  }

  private void comment(String line) {
    String[] parts = line.split(" ", 4);
    if (parts.length >= 3 && parts[1].equals("TYPE")) {
      if (!NAME.matcher(parts[2]).matches() || parts.length != 4 || !TYPES.contains(parts[3])) {
        throw new IllegalArgumentException("malformed TYPE line");
      }
      if (types.put(parts[2], parts[3]) != null) {
        throw new IllegalArgumentException("a second TYPE line for " + parts[2]);
      }
      if (samples.stream().anyMatch(sample -> parts[2].equals(family(sample.name())))) {
        throw new IllegalArgumentException("TYPE of " + parts[2] + " after its samples");
      }
    } else if (parts.length >= 3 && parts[1].equals("HELP")) {
      if (!NAME.matcher(parts[2]).matches()) {
        throw new IllegalArgumentException("malformed HELP line");
      }
    }
  }

  /** The family a sample name belongs to, by its family's type; null when none. */
  private String family(String name) {
    if (types.containsKey(name)) {
      String type = types.get(name);
      return type.equals("histogram") ? null : name;
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count", "_total", "_created"}) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String type = types.get(base);
        if (type == null) {
          continue;
        }
        boolean fits = switch (type) {
          case "histogram" -> !suffix.equals("_total");
          case "summary" -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
          case "counter" -> suffix.equals("_total") || suffix.equals("_created");
          default -> false;
        };
        if (fits) {
          return base;
        }
      }
    }
    return null;
  }

  private void checkHistograms() {
    types.forEach((family, type) -> {
      if (!type.equals("histogram")) {
        return;
      }
      Map<Map<String, String>, List<Sample>> series = new LinkedHashMap<>();
      for (Sample sample : find(family + "_bucket")) {
        Map<String, String> others = new HashMap<>(sample.labels());
        if (others.remove("le") == null) {
          throw new IllegalArgumentException(family + "_bucket without le");
        }
        series.computeIfAbsent(others, key -> new ArrayList<>()).add(sample);
      }
      series.forEach((labels, buckets) -> {
        double previousBound = Double.NEGATIVE_INFINITY;
        double previousCount = 0;
        for (Sample bucket : buckets) {
          double bound = number(bucket.labels().get("le"));
          if (bound <= previousBound || bucket.value() < previousCount) {
            throw new IllegalArgumentException(family + " buckets are not cumulative in increasing le order");
          }
          previousBound = bound;
          previousCount = bucket.value();
        }
        if (previousBound != Double.POSITIVE_INFINITY) {
          throw new IllegalArgumentException(family + " has no le=\"+Inf\" bucket");
        }
        double count = samples.stream().filter(s -> s.name().equals(family + "_count") && s.labels().equals(labels))
            .mapToDouble(Sample::value).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(family + " has buckets but no _count"));
        if (count != previousCount) {
          throw new IllegalArgumentException(family + " +Inf bucket " + previousCount + " differs from _count " + count);
        }
      });
    });
  }

  private static double number(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  /** Reads a sample line left to right. */
  private static final class Cursor {
    private final String line;
    private int at;

    Cursor(String line) {
      this.line = line;
    }

    char peek() {
      return at < line.length() ? line.charAt(at) : '\0';
    }

    void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("expected '" + c + "' at column " + (at + 1));
      }
      at++;
    }

    String name() {
      Matcher matcher = NAME.matcher(line).region(at, line.length());
      if (!matcher.lookingAt()) {
        throw new IllegalArgumentException("no metric name at column " + (at + 1));
      }
      at = matcher.end();
      return matcher.group();
    }

    Map<String, String> labels() {
      expect('{');
      Map<String, String> labels = new LinkedHashMap<>();
      while (peek() != '}') {
        Matcher matcher = LABEL_NAME.matcher(line).region(at, line.length());
        if (!matcher.lookingAt()) {
          throw new IllegalArgumentException("no label name at column " + (at + 1));
        }
        at = matcher.end();
        expect('=');
        expect('"');
        StringBuilder value = new StringBuilder();
        while (peek() != '"') {
          char c = peek();
          if (c == '\0') {
            throw new IllegalArgumentException("unterminated label value");
          }
          at++;
          if (c == '\\') {
            char escaped = peek();
            at++;
            value.append(switch (escaped) {
              case '\\' -> '\\';
              case '"' -> '"';
              case 'n' -> '\n';
              default -> throw new IllegalArgumentException("bad escape \\" + escaped);
            });
          } else {
            value.append(c);
          }
        }
        expect('"');
        if (labels.put(matcher.group(), value.toString()) != null) {
          throw new IllegalArgumentException("label " + matcher.group() + " twice");
        }
        if (peek() == ',') {
          at++;
        } else if (peek() != '}') {
          throw new IllegalArgumentException("expected ',' or '}' at column " + (at + 1));
        }
      }
      expect('}');
      return labels;
    }

    String rest() {
      return line.substring(at);
    }
  }
}
