package io.configd.api;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/** One YAML mapping of whole keys to values, read with SnakeYAML's safe constructor (no types, no aliases bombs). */
final class YamlFormat {

  private YamlFormat() {
  }

  static String write(Map<String, Object> values) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setPrettyFlow(true);
    Map<String, Object> plain = new LinkedHashMap<>();
    values.forEach((key, value) -> plain.put(key, toPlain(value)));
    return plain.isEmpty() ? "{}\n" : new Yaml(new Representer(options), options).dump(plain);
  }

  static Map<String, Object> read(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    Object document;
    try {
      document = new Yaml(new SafeConstructor(options)).load(text);
    } catch (YAMLException e) {
      throw new ConfigdException(Failure.INVALID_BODY, "the YAML does not parse: " + e.getMessage());
    }
    if (document == null) {
      return new LinkedHashMap<>();
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new ConfigdException(Failure.INVALID_BODY, "an import in YAML is one mapping of keys to values, e.g. "
          + "'services.payment.pool: 20'");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    map.forEach((key, value) -> values.put(String.valueOf(key), toJson(value)));
    return values;
  }

  private static Object toPlain(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> map = new LinkedHashMap<>();
      object.forEach(member -> map.put(member.getKey(), toPlain(member.getValue())));
      return map;
    }
    if (value instanceof JsonArray array) {
      List<Object> list = new ArrayList<>();
      array.forEach(item -> list.add(toPlain(item)));
      return list;
    }
    return value;
  }

  private static Object toJson(Object value) {
    if (value instanceof Map<?, ?> map) {
      JsonObject object = new JsonObject();
      map.forEach((key, member) -> object.put(String.valueOf(key), toJson(member)));
      return object;
    }
    if (value instanceof List<?> list) {
      JsonArray array = new JsonArray();
      list.forEach(item -> array.add(toJson(item)));
      return array;
    }
    if (value instanceof Date date) {
      return date.toInstant().toString();
    }
    if (value instanceof byte[] || value instanceof java.util.Set<?>) {
      throw new ConfigdException(Failure.INVALID_BODY, "YAML binary values and sets have no JSON form");
    }
    return value;
  }
}
