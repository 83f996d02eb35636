package io.configd.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * configd values as Spring property names, one rule for the Spring Boot starter and the Spring Cloud Config routes:
 * a key is a property of its name (less a prefix the caller strips); a JSON object value adds one property per member
 * ({@code db} = {"url": …} gives {@code db.url}) and an array one per element ({@code hosts[0]}), as Spring reads YAML;
 * a key written on its own wins over the member of an object at a shorter key. A key equal to the stripped prefix
 * contributes its object's members at the top, and nothing when it is not an object.
 */
public final class SpringProperties {

  private SpringProperties() {
  }

  /**
   * @param values current values by key, each equal to {@code prefix} or below it (deletions left out)
   * @param prefix removed from the start of every name ("" keeps the keys whole)
   * @return the properties, in key order
   */
  public static Map<String, Object> of(Map<String, Object> values, String prefix) {
    Map<String, Object> members = new LinkedHashMap<>();
    Map<String, Object> own = new LinkedHashMap<>();
    new TreeMap<>(values).forEach((key, value) -> {
      String name = prefix.isEmpty() ? key : key.equals(prefix) ? "" : key.substring(prefix.length() + 1);
      if (value instanceof JsonObject || value instanceof JsonArray) {
        expand(name, value, members);
      } else if (value != null && !name.isEmpty()) {
        own.put(name, value);
      }
    });
    members.putAll(own);
    return members;
  }

  private static void expand(String name, Object value, Map<String, Object> into) {
    if (value instanceof JsonObject object) {
      object.forEach(member -> expand(name.isEmpty() ? member.getKey() : name + "." + member.getKey(), member.getValue(), into));
    } else if (value instanceof JsonArray array) {
      if (name.isEmpty()) {
        return;
      }
      for (int i = 0; i < array.size(); i++) {
        expand(name + "[" + i + "]", array.getValue(i), into);
      }
    } else if (value != null && !name.isEmpty()) {
      into.put(name, value);
    }
  }
}
