package io.configd.model;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Who a subscriber is: the instance id it names itself with (a pod name, a host name, a UUID), its application's name
 * and its labels ({@code zone=eu-1}, {@code version=2.3.1}), which gray releases and staged rollouts select on. Sent in
 * the bridge's hello ({@link Addresses#HELLO}) or with a read's {@code instance}, {@code app} and {@code labels}
 * parameters; validated here, the one place for its grammar.
 *
 * @param app    null when the instance did not name one
 * @param labels sorted by name, never null
 */
public record Instance(String id, String app, Map<String, String> labels) {

  public static final int MAX_ID = 128;
  public static final int MAX_LABELS = 32;
  public static final int MAX_LABEL_NAME = 63;
  public static final int MAX_LABEL_VALUE = 63;
  /** Ids and application names: a host, pod or service name, a UUID. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@-]*");
  /** Label names and values as Kubernetes has them, so that a pod's labels carry over as they are. */
  private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_./-]*[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)?");

  public Instance {
    id = name(id, "instance", true);
    app = name(app, "app", false);
    labels = validLabels(labels == null ? Map.of() : labels);
  }

  /** The body of a hello: {@code {instance, app?, labels?}}, nothing else. */
  public static Instance fromJson(Object body) {
    if (!(body instanceof JsonObject json)) {
      throw invalid("the hello body must be a JSON object {\"instance\": \"<id>\", \"app\": \"<name>\", "
          + "\"labels\": {\"zone\": \"eu-1\"}}");
    }
    for (String member : json.fieldNames()) {
      if (!member.equals("instance") && !member.equals("app") && !member.equals("labels")) {
        throw invalid("unknown member '" + member + "' in the hello; allowed: instance, app, labels");
      }
    }
    Object id = json.getValue("instance");
    if (!(id instanceof String)) {
      throw invalid("'instance' must be a string, the instance's id" + (id == null ? "" : ", not " + typeOf(id)));
    }
    Object app = json.getValue("app");
    if (app != null && !(app instanceof String)) {
      throw invalid("'app' must be a string, the application's name, not " + typeOf(app));
    }
    Object labels = json.getValue("labels");
    if (labels != null && !(labels instanceof JsonObject)) {
      throw invalid("'labels' must be an object of strings, e.g. {\"zone\": \"eu-1\"}, not " + typeOf(labels));
    }
    Map<String, String> parsed = new TreeMap<>();
    if (labels instanceof JsonObject object) {
      if (object.size() > MAX_LABELS) {
        throw invalid(object.size() + " labels; at most " + MAX_LABELS + " are allowed");
      }
      for (Map.Entry<String, Object> label : object) {
        if (!(label.getValue() instanceof String value)) {
          throw invalid("label '" + shorten(label.getKey()) + "' must be a string, not " + typeOf(label.getValue()));
        }
        parsed.put(label.getKey(), value);
      }
    }
    return new Instance((String) id, (String) app, parsed);
  }

  /**
   * The identity a read names with its parameters or headers: {@code instance} (required when any is given),
   * {@code app}, {@code labels} as {@code name=value,name=value}. Null when {@code id}, {@code app} and {@code labels}
   * are all null: an anonymous read.
   */
  public static Instance fromParameters(String id, String app, String labels) {
    if (id == null && app == null && labels == null) {
      return null;
    }
    if (id == null) {
      throw invalid("'app' and 'labels' name an instance: give its id in 'instance' too");
    }
    return new Instance(id, app, parseLabels(labels));
  }

  /** {@code zone=eu-1,version=2.3.1} (blank: none), the form labels take in a query parameter or a header. */
  public static Map<String, String> parseLabels(String text) {
    Map<String, String> labels = new TreeMap<>();
    if (text == null || text.isBlank()) {
      return labels;
    }
    String[] pairs = text.split(",", -1);
    if (pairs.length > MAX_LABELS) {
      throw invalid(pairs.length + " labels; at most " + MAX_LABELS + " are allowed");
    }
    for (String pair : pairs) {
      int equals = pair.indexOf('=');
      if (equals < 0) {
        throw invalid("label '" + shorten(pair.trim()) + "' has no value; labels are name=value,name=value");
      }
      String name = pair.substring(0, equals).trim();
      if (labels.put(name, pair.substring(equals + 1).trim()) != null) {
        throw invalid("label '" + shorten(name) + "' is given twice");
      }
    }
    return labels;
  }

  /** {@code name=value,name=value}, as {@link #parseLabels} reads it. */
  public String labelsText() {
    StringBuilder text = new StringBuilder();
    labels.forEach((name, value) -> text.append(text.length() == 0 ? "" : ",").append(name).append('=').append(value));
    return text.toString();
  }

  public JsonObject toJson() {
    return new JsonObject().put("instance", id).put("app", app).put("labels", new JsonObject(Map.copyOf(labels)));
  }

  private static String name(String value, String member, boolean required) {
    if (value == null) {
      if (required) {
        throw invalid("'" + member + "' is required: the instance's id, e.g. its pod or host name");
      }
      return null;
    }
    if (value.isEmpty() || value.length() > MAX_ID || !NAME.matcher(value).matches()) {
      throw invalid("'" + member + "' must be 1 to " + MAX_ID + " characters of letters, digits and _ . : @ -, "
          + "starting with a letter or digit; got '" + shorten(value) + "'");
    }
    return value;
  }

  private static Map<String, String> validLabels(Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      throw invalid(labels.size() + " labels; at most " + MAX_LABELS + " are allowed");
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> label : labels.entrySet()) {
      String name = label.getKey();
      String value = label.getValue();
      if (name == null || name.length() > MAX_LABEL_NAME || !LABEL_NAME.matcher(name).matches()) {
        throw invalid("label name '" + shorten(String.valueOf(name)) + "' must be 1 to " + MAX_LABEL_NAME
            + " characters of letters, digits and _ . / -, starting and ending with a letter or digit");
      }
      if (value == null || value.length() > MAX_LABEL_VALUE || !LABEL_VALUE.matcher(value).matches()) {
        throw invalid("the value of label '" + name + "' must be at most " + MAX_LABEL_VALUE
            + " characters of letters, digits and _ . -, starting and ending with a letter or digit; got '"
            + shorten(String.valueOf(value)) + "'");
      }
      sorted.put(name, value);
    }
    return Collections.unmodifiableMap(sorted);
  }

  private static String typeOf(Object value) {
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof io.vertx.core.json.JsonArray) {
      return "an array";
    }
    return value == null ? "null" : "a string";
  }

  private static String shorten(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "…" : text;
  }

  private static ConfigdException invalid(String detail) {
    return new ConfigdException(Failure.INVALID_INSTANCE, detail);
  }
}
