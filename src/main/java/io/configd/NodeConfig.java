package io.configd;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;

/**
 * Loads the node configuration with vertx-config: the file in conf/ first, then CONFIGD_* environment
 * variables, so that an environment variable wins. {@code CONFIGD_SECTION_SOME_FIELD} sets
 * {@code section.someField}, typed after the file's value (number, boolean, comma-separated list).
 */
public final class NodeConfig {

  public static final String ENV_PREFIX = "CONFIGD_";
  public static final String DEFAULT_FILE = "conf/configd.json";
  /** Sets auth.adminToken, like CONFIGD_AUTH_ADMIN_TOKEN. */
  public static final String ADMIN_TOKEN = ENV_PREFIX + "ADMIN_TOKEN";

  private NodeConfig() {
  }

  public static Future<JsonObject> load(Vertx vertx, String file, Map<String, String> environment) {
    ConfigStoreOptions fileStore = new ConfigStoreOptions().setType("file").setFormat("json")
        .setConfig(new JsonObject().put("path", file));
    ConfigStoreOptions envStore = new ConfigStoreOptions().setType("json")
        .setConfig(new JsonObject().put(ENV_PREFIX, new JsonObject(Map.copyOf(onlyOurs(environment)))));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false).setScanPeriod(-1).addStore(fileStore).addStore(envStore));
    retriever.setConfigurationProcessor(NodeConfig::applyEnvironment);
    return retriever.getConfig().eventually(retriever::close);
  }

  /** The file from CONFIGD_CONF, else conf/configd.json. */
  public static String file(Map<String, String> environment) {
    return environment.getOrDefault(ENV_PREFIX + "CONF", DEFAULT_FILE);
  }

  private static Map<String, Object> onlyOurs(Map<String, String> environment) {
    Map<String, Object> ours = new java.util.TreeMap<>();
    environment.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && !name.equals(ENV_PREFIX + "CONF") && !name.equals(ADMIN_TOKEN)
          && name.indexOf('_', ENV_PREFIX.length()) > 0) {
        ours.put(name, value);
      }
    });
    // The name issue 8 gives the bootstrap token, for automated set-ups; CONFIGD_AUTH_ADMIN_TOKEN wins.
    if (environment.containsKey(ADMIN_TOKEN)) {
      ours.putIfAbsent(ENV_PREFIX + "AUTH_ADMIN_TOKEN", environment.get(ADMIN_TOKEN));
    }
    return ours;
  }

  /**
   * Folds the CONFIGD_* variables (merged in last) into the sections they name. A field whose leading words name a
   * nested object of the file descends into it: CONFIGD_AUTH_JWT_ISSUER sets auth.jwt.issuer, as the file spells it.
   */
  static JsonObject applyEnvironment(JsonObject merged) {
    JsonObject config = merged.copy();
    JsonObject overrides = (JsonObject) config.remove(ENV_PREFIX);
    if (overrides == null) {
      return config;
    }
    for (String name : overrides.fieldNames()) {
      if (overrides.getString(name).isBlank()) {
        continue; // a blank variable is an unset one: the file's value stands
      }
      String[] words = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("_");
      JsonObject target = config.getJsonObject(words[0]);
      if (target == null) {
        target = new JsonObject();
        config.put(words[0], target);
      }
      int from = 1;
      for (int to = from + 1; to < words.length; to++) {
        if (target.getValue(camel(words, from, to)) instanceof JsonObject nested) {
          target = nested;
          from = to;
          to = from;
        }
      }
      String key = camel(words, from, words.length);
      target.put(key, typed(name, overrides.getString(name), target.getValue(key)));
    }
    return config;
  }

  /** words[from..to) in camelCase: failed, auth, burst → failedAuthBurst. */
  private static String camel(String[] words, int from, int to) {
    StringBuilder field = new StringBuilder(words[from]);
    for (int i = from + 1; i < to; i++) {
      if (!words[i].isEmpty()) {
        field.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
      }
    }
    return field.toString();
  }

  private static Object typed(String name, String text, Object like) {
    try {
      if (like instanceof Integer) {
        return Integer.parseInt(text.trim());
      }
      if (like instanceof Long) {
        return Long.parseLong(text.trim());
      }
      if (like instanceof Number) {
        return Double.parseDouble(text.trim());
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, not '" + text + "'");
    }
    if (like instanceof Boolean) {
      return Boolean.parseBoolean(text.trim());
    }
    if (like instanceof JsonArray) {
      if (text.trim().startsWith("[")) {
        try {
          return new JsonArray(text.trim()); // a list of objects, such as auth.jwt.publicKeys, as JSON
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(name + " must be a JSON list or a comma-separated one: " + e.getMessage());
        }
      }
      JsonArray list = new JsonArray();
      for (String item : text.split(",")) {
        if (!item.isBlank()) {
          list.add(item.trim());
        }
      }
      return list;
    }
    return text;
  }
}
