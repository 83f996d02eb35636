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

  /** Folds the CONFIGD_* variables (merged in last) into the sections they name. */
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
      String section = words[0];
      StringBuilder field = new StringBuilder(words[1]);
      for (int i = 2; i < words.length; i++) {
        field.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
      }
      JsonObject target = config.getJsonObject(section);
      if (target == null) {
        target = new JsonObject();
        config.put(section, target);
      }
      String key = field.toString();
      target.put(key, typed(overrides.getString(name), target.getValue(key)));
    }
    return config;
  }

  private static Object typed(String text, Object like) {
    if (like instanceof Integer) {
      return Integer.parseInt(text.trim());
    }
    if (like instanceof Long) {
      return Long.parseLong(text.trim());
    }
    if (like instanceof Number) {
      return Double.parseDouble(text.trim());
    }
    if (like instanceof Boolean) {
      return Boolean.parseBoolean(text.trim());
    }
    if (like instanceof JsonArray) {
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
