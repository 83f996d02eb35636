package io.configd.client;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Typed reads of one environment's current values, safe from any thread. {@code getX(key)} throws
 * {@link ConfigValueException} when the key has no value; {@code getX(key, default)} returns the default
 * then; {@code findX(key)} returns an Optional. A value that does not fit the type always throws
 * {@link ConfigValueException}, saying what the value is and what was expected.
 */
public abstract class ConfigReader {

  ConfigReader() {
  }

  /** The environment this reader reads. */
  public abstract String env();

  /** The current value of a key (a JSON value), or empty when the key has none. */
  public abstract Optional<Object> find(String key);

  /** Every key with a value, in no particular order. */
  public abstract Set<String> keys();

  /**
   * Calls the listener once for every change applied to {@code prefixOrKey} or below it ("" for every key),
   * in per-key order, on the client's event loop: it must not block. Exceptions it throws are logged.
   */
  public abstract ListenerHandle onChange(String prefixOrKey, Consumer<ConfigValue> listener);

  /**
   * Calls the listener once for every set of changes applied together under {@code prefixOrKey} ("" for every key),
   * with those changes in revision order: a transaction's changes in one call, once all of them are applied (a read
   * from the listener sees the whole transaction); a change no transaction wrote, alone. On the client's event loop.
   */
  public abstract ListenerHandle onChanges(String prefixOrKey, Consumer<List<ConfigValue>> listener);

  public String getString(String key) {
    return required(key, findString(key));
  }

  public String getString(String key, String defaultValue) {
    return findString(key).orElse(defaultValue);
  }

  /** A JSON string as is; a number or boolean as its text. */
  public Optional<String> findString(String key) {
    return find(key).map(value -> {
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        return value.toString();
      }
      throw mismatch(key, value, "a string");
    });
  }

  public int getInt(String key) {
    return required(key, findInt(key));
  }

  public int getInt(String key, int defaultValue) {
    return findInt(key).orElse(defaultValue);
  }

  /** A JSON integer, or a string holding one, within the range of int. */
  public Optional<Integer> findInt(String key) {
    return findLong(key).map(value -> {
      if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
        throw new ConfigValueException(key, key + " in " + env() + " is " + value + ", outside the range of an int");
      }
      return value.intValue();
    });
  }

  public long getLong(String key) {
    return required(key, findLong(key));
  }

  public long getLong(String key, long defaultValue) {
    return findLong(key).orElse(defaultValue);
  }

  /** A JSON integer, or a string holding one, within the range of long. */
  public Optional<Long> findLong(String key) {
    return find(key).map(value -> {
      try {
        if (value instanceof Number number) {
          return new BigDecimal(number.toString()).longValueExact();
        }
        if (value instanceof String text) {
          return new BigDecimal(text.trim()).longValueExact();
        }
      } catch (ArithmeticException | NumberFormatException e) {
        throw mismatch(key, value, "a whole number within the range of a long");
      }
      throw mismatch(key, value, "a whole number");
    });
  }

  public boolean getBoolean(String key) {
    return required(key, findBoolean(key));
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    return findBoolean(key).orElse(defaultValue);
  }

  /** A JSON boolean, or the string "true" or "false" in any case. */
  public Optional<Boolean> findBoolean(String key) {
    return find(key).map(value -> {
      if (value instanceof Boolean bool) {
        return bool;
      }
      if (value instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(text);
      }
      throw mismatch(key, value, "true or false");
    });
  }

  public Duration getDuration(String key) {
    return required(key, findDuration(key));
  }

  public Duration getDuration(String key, Duration defaultValue) {
    return findDuration(key).orElse(defaultValue);
  }

  /** A string in ISO-8601 (PT30S) or as a number and a unit (500ms, 30s, 5m, 2h, 1d). */
  public Optional<Duration> findDuration(String key) {
    return find(key).map(value -> {
      if (value instanceof String text) {
        try {
          return Durations.parse(text);
        } catch (IllegalArgumentException e) {
          throw new ConfigValueException(key, key + " in " + env() + ": " + e.getMessage());
        }
      }
      throw mismatch(key, value, "a duration string such as PT30S, 30s or 500ms");
    });
  }

  public JsonObject getJsonObject(String key) {
    return required(key, findJsonObject(key));
  }

  /** A JSON object; a copy, so the caller may change it. */
  public Optional<JsonObject> findJsonObject(String key) {
    return find(key).map(value -> {
      if (value instanceof JsonObject json) {
        return json.copy();
      }
      throw mismatch(key, value, "a JSON object");
    });
  }

  public JsonArray getJsonArray(String key) {
    return required(key, findJsonArray(key));
  }

  /** A JSON array; a copy, so the caller may change it. */
  public Optional<JsonArray> findJsonArray(String key) {
    return find(key).map(value -> {
      if (value instanceof JsonArray json) {
        return json.copy();
      }
      throw mismatch(key, value, "a JSON array");
    });
  }

  public <T> T get(String key, Class<T> type) {
    return required(key, find(key, type));
  }

  public <T> T get(String key, Class<T> type, T defaultValue) {
    return find(key, type).orElse(defaultValue);
  }

  /**
   * The value as {@code type}: String, Integer, Long, Boolean, Duration, JsonObject and JsonArray as their getters
   * read them; a record is mapped from a JSON object (members by name or kebab-case,
   * unknown members refused), with no JSON library beyond vertx-core's.
   */
  public <T> Optional<T> find(String key, Class<T> type) {
    Optional<?> found;
    if (type == String.class) {
      found = findString(key);
    } else if (type == Integer.class) {
      found = findInt(key);
    } else if (type == Long.class) {
      found = findLong(key);
    } else if (type == Boolean.class) {
      found = findBoolean(key);
    } else if (type == Duration.class) {
      found = findDuration(key);
    } else if (type == JsonArray.class) {
      found = findJsonArray(key);
    } else if (type == JsonObject.class) {
      found = findJsonObject(key);
    } else {
      found = findJsonObject(key).map(json -> mapped(key, json, type));
    }
    return found.map(type::cast);
  }

  private <T> T mapped(String key, JsonObject json, Class<T> type) {
    try {
      return RecordMapping.map(json, type);
    } catch (IllegalArgumentException e) {
      throw new ConfigValueException(key, key + " in " + env() + " does not map to " + type.getSimpleName() + ": "
          + e.getMessage(), e);
    }
  }

  private <T> T required(String key, Optional<T> value) {
    return value.orElseThrow(() -> new ConfigValueException(key, key + " has no value in " + env()));
  }

  private ConfigValueException mismatch(String key, Object value, String expected) {
    String text = String.valueOf(value);
    String shown = text.length() > 80 ? text.substring(0, 80) + "…" : text;
    return new ConfigValueException(key, key + " in " + env() + " is " + kind(value) + " (" + shown + "), not "
        + expected);
  }

  private static String kind(Object value) {
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof JsonObject) {
      return "a JSON object";
    }
    if (value instanceof JsonArray) {
      return "a JSON array";
    }
    return "null";
  }
}
