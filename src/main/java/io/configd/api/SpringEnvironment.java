package io.configd.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Spring Cloud Config routes answer, in the shapes a Config Server has: the Environment JSON its clients
 * read ({@code name, profiles, label, version, state, propertySources[{name, source}]}, the first source winning),
 * and the merged properties as {@code .properties}, {@code .json} or {@code .yml}.
 *
 * @param sources highest precedence first, as Spring Cloud Config lists them
 */
record SpringEnvironment(String name, List<String> profiles, String label, long version, List<Source> sources) {

  /** One property source: the properties of one application prefix in one environment. */
  record Source(String name, Map<String, Object> properties) {
  }

  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
  private static final java.util.Set<String> YAML_WORDS = java.util.Set.of("y", "n", "yes", "no", "on", "off", "true",
      "false", "null");

  JsonObject toJson() {
    JsonArray propertySources = new JsonArray();
    for (Source source : sources) {
      propertySources.add(new JsonObject().put("name", source.name()).put("source", new JsonObject(new LinkedHashMap<>(source.properties()))));
    }
    return new JsonObject()
        .put("name", name)
        .put("profiles", new JsonArray(List.copyOf(profiles)))
        .put("label", label)
        .put("version", Long.toString(version))
        .put("state", null)
        .put("propertySources", propertySources);
  }

  /** Every property once, the source listed first winning, in name order. */
  Map<String, Object> merged() {
    Map<String, Object> merged = new TreeMap<>();
    for (int i = sources.size() - 1; i >= 0; i--) {
      merged.putAll(sources.get(i).properties());
    }
    return merged;
  }

  /** {@code name: value} lines in name order, escaped as java.util.Properties reads them. */
  String toProperties() {
    StringBuilder out = new StringBuilder();
    merged().forEach((property, value) -> out.append(escape(property, true)).append(": ")
        .append(escape(String.valueOf(value), false)).append('\n'));
    return out.toString();
  }

  /** The merged properties as nested JSON: {@code a.b} in {"a": {"b": …}}, {@code a[0]} in an array. */
  JsonObject toNestedJson() {
    JsonObject root = new JsonObject();
    merged().forEach((property, value) -> place(root, segments(property), value));
    return root;
  }

  /** The nested form as YAML (block style; strings double-quoted, which YAML reads with JSON's escapes). */
  String toYaml() {
    StringBuilder out = new StringBuilder();
    yamlObject(toNestedJson(), 0, out);
    return out.toString();
  }

  // ---- nesting

  /** {@code a.b[2].c} → ["a", "b", 2, "c"]: names are strings, indexes integers. */
  private static List<Object> segments(String property) {
    List<Object> path = new ArrayList<>();
    for (String part : property.split("\\.")) {
      int bracket = part.indexOf('[');
      path.add(bracket < 0 ? part : part.substring(0, bracket));
      if (bracket >= 0) {
        Matcher index = INDEX.matcher(part.substring(bracket));
        while (index.find()) {
          path.add(Integer.parseInt(index.group(1)));
        }
      }
    }
    return path;
  }

  /** A property below another that holds a scalar replaces it: a tree cannot hold both, and the deeper one is more specific. */
  private static void place(Object container, List<Object> path, Object value) {
    Object current = container;
    for (int i = 0; i < path.size(); i++) {
      Object segment = path.get(i);
      boolean last = i == path.size() - 1;
      Object next = last ? value : path.get(i + 1) instanceof Integer ? new JsonArray() : new JsonObject();
      if (current instanceof JsonObject object && segment instanceof String member) {
        Object existing = object.getValue(member);
        if (last || !(existing instanceof JsonObject || existing instanceof JsonArray)
            || (next instanceof JsonArray) != (existing instanceof JsonArray)) {
          if (last && (existing instanceof JsonObject || existing instanceof JsonArray)) {
            return;
          }
          object.put(member, next);
          existing = next;
        }
        current = existing;
      } else if (current instanceof JsonArray array && segment instanceof Integer index) {
        while (array.size() <= index) {
          array.addNull();
        }
        Object existing = array.getValue(index);
        if (last || !(existing instanceof JsonObject || existing instanceof JsonArray)) {
          if (last && (existing instanceof JsonObject || existing instanceof JsonArray)) {
            return;
          }
          array.set(index, next);
          existing = next;
        }
        current = existing;
      } else {
        return;
      }
    }
  }

  // ---- YAML

  private static void yamlObject(JsonObject object, int indent, StringBuilder out) {
    for (String member : object.fieldNames()) {
      Object value = object.getValue(member);
      out.append(" ".repeat(indent)).append(yamlKey(member)).append(':');
      yamlValue(value, indent, out);
    }
  }

  private static void yamlValue(Object value, int indent, StringBuilder out) {
    if (value instanceof JsonObject nested && !nested.isEmpty()) {
      out.append('\n');
      yamlObject(nested, indent + 2, out);
    } else if (value instanceof JsonArray list && !list.isEmpty()) {
      out.append('\n');
      for (Object item : list) {
        out.append(" ".repeat(indent)).append("-");
        if (item instanceof JsonObject nested && !nested.isEmpty()) {
          StringBuilder inner = new StringBuilder();
          yamlObject(nested, indent + 2, inner);
          out.append(' ').append(inner.substring(indent + 2));
        } else if (item instanceof JsonArray) {
          yamlValue(item, indent + 2, out);
        } else {
          out.append(' ').append(yamlScalar(item)).append('\n');
        }
      }
    } else {
      out.append(' ').append(yamlScalar(value)).append('\n');
    }
  }

  /** Plain when it cannot be misread (YAML 1.1 reads yes, on, null... as booleans and nulls), else double-quoted. */
  private static String yamlKey(String key) {
    return PLAIN_KEY.matcher(key).matches() && !YAML_WORDS.contains(key.toLowerCase(java.util.Locale.ROOT))
        ? key : yamlScalar(key);
  }

  private static String yamlScalar(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonObject) {
      return "{}";
    }
    if (value instanceof JsonArray) {
      return "[]";
    }
    if (value instanceof String text) {
      String encoded = new JsonArray().add(text).encode();
      return encoded.substring(1, encoded.length() - 1);
    }
    return value.toString();
  }

  // ---- .properties

  private static String escape(String text, boolean key) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
        case ':', '=', '#', '!' -> out.append(key ? "\\" + c : String.valueOf(c));
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
