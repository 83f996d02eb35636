package io.configd.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a JSON object to a record, so that typed reads need no JSON library beyond vertx-core's. Members match a
 * component by its name or its kebab-case form ({@code maxSize} or {@code max-size}); a member the record does not
 * have is an error (a typo never passes silently); a missing member is null, or an error for a primitive.
 * Components may be strings, numbers, booleans, enums (by name, any case), {@link Duration}s (as
 * {@link ConfigReader#findDuration} reads them), {@link JsonObject}, {@link JsonArray}, records, and
 * {@code List}, {@code Set}, {@code Map<String, …>} or {@code Optional} of those.
 */
final class RecordMapping {

  private RecordMapping() {
  }

  /** @throws IllegalArgumentException saying which member does not fit, and why */
  static <T> T map(JsonObject json, Class<T> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record; a value maps to a record only "
          + "(read other shapes with getJsonObject)");
    }
    return type.cast(record(json, type, ""));
  }

  private static Object record(JsonObject json, Class<?> type, String path) {
    RecordComponent[] components = type.getRecordComponents();
    Map<String, RecordComponent> byName = new LinkedHashMap<>();
    for (RecordComponent component : components) {
      byName.put(component.getName(), component);
      byName.put(kebab(component.getName()), component);
    }
    Map<RecordComponent, Object> found = new LinkedHashMap<>();
    for (String member : json.fieldNames()) {
      RecordComponent component = byName.get(member);
      if (component == null) {
        throw new IllegalArgumentException(at(path, member) + " is not a component of " + type.getSimpleName()
            + " (components: " + String.join(", ", Arrays.stream(components).map(RecordComponent::getName).toList())
            + ")");
      }
      found.put(component, json.getValue(member));
    }
    Object[] arguments = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent component = components[i];
      types[i] = component.getType();
      String where = at(path, component.getName());
      Object raw = found.get(component);
      if (raw == null && component.getType().isPrimitive()) {
        throw new IllegalArgumentException(where + " is missing");
      }
      arguments[i] = value(raw, component.getGenericType(), where);
    }
    try {
      Constructor<?> constructor = type.getDeclaredConstructor(types);
      constructor.setAccessible(true);
      return constructor.newInstance(arguments);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException((path.isEmpty() ? type.getSimpleName() : path) + " was refused by its "
          + "constructor: " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException | SecurityException e) {
      throw new IllegalArgumentException("cannot construct " + type.getName() + ": " + e.getMessage(), e);
    }
  }

  private static Object value(Object raw, Type target, String where) {
    if (target instanceof ParameterizedType generic) {
      return container(raw, (Class<?>) generic.getRawType(), generic.getActualTypeArguments(), where);
    }
    if (!(target instanceof Class<?> type)) {
      throw new IllegalArgumentException(where + " has a type that cannot be mapped: " + target.getTypeName());
    }
    if (type == Optional.class) {
      throw new IllegalArgumentException(where + " is a raw Optional; give its element type");
    }
    if (raw == null) {
      return null;
    }
    if (type == String.class) {
      return expect(raw instanceof String || raw instanceof Number || raw instanceof Boolean, raw, where, "a string")
          .toString();
    }
    try {
      if (type == int.class || type == Integer.class) {
        return whole(raw, where).intValueExact();
      }
      if (type == long.class || type == Long.class) {
        return whole(raw, where).longValueExact();
      }
      if (type == short.class || type == Short.class) {
        return whole(raw, where).shortValueExact();
      }
      if (type == byte.class || type == Byte.class) {
        return whole(raw, where).byteValueExact();
      }
    } catch (ArithmeticException e) {
      throw mismatch(raw, where, "within the range of " + type.getSimpleName().toLowerCase(Locale.ROOT));
    }
    if (type == double.class || type == Double.class) {
      return decimal(raw, where).doubleValue();
    }
    if (type == float.class || type == Float.class) {
      return decimal(raw, where).floatValue();
    }
    if (type == BigDecimal.class) {
      return decimal(raw, where);
    }
    if (type == BigInteger.class) {
      return whole(raw, where).toBigIntegerExact();
    }
    if (type == boolean.class || type == Boolean.class) {
      if (raw instanceof Boolean bool) {
        return bool;
      }
      if (raw instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(text);
      }
      throw mismatch(raw, where, "true or false");
    }
    if (type == Duration.class) {
      expect(raw instanceof String, raw, where, "a duration string such as PT30S, 30s or 500ms");
      return Durations.parse((String) raw);
    }
    if (type.isEnum()) {
      expect(raw instanceof String, raw, where, "one of " + Arrays.toString(type.getEnumConstants()));
      for (Object constant : type.getEnumConstants()) {
        if (((Enum<?>) constant).name().equalsIgnoreCase(((String) raw).replace('-', '_'))) {
          return constant;
        }
      }
      throw mismatch(raw, where, "one of " + Arrays.toString(type.getEnumConstants()));
    }
    if (type == JsonObject.class) {
      return ((JsonObject) expect(raw instanceof JsonObject, raw, where, "a JSON object")).copy();
    }
    if (type == JsonArray.class) {
      return ((JsonArray) expect(raw instanceof JsonArray, raw, where, "a JSON array")).copy();
    }
    if (type.isRecord()) {
      return record((JsonObject) expect(raw instanceof JsonObject, raw, where, "a JSON object"), type, where);
    }
    throw new IllegalArgumentException(where + " is a " + type.getSimpleName() + ", which a value cannot map to");
  }

  private static Object container(Object raw, Class<?> type, Type[] elements, String where) {
    if (type == Optional.class) {
      return Optional.ofNullable(value(raw, elements[0], where));
    }
    if (raw == null) {
      return null;
    }
    if (type == List.class || type == Set.class || type == java.util.Collection.class) {
      JsonArray array = (JsonArray) expect(raw instanceof JsonArray, raw, where, "a JSON array");
      List<Object> items = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        items.add(value(array.getValue(i), elements[0], where + "[" + i + "]"));
      }
      return type == Set.class ? Set.copyOf(new LinkedHashSet<>(items)) : List.copyOf(items);
    }
    if (type == Map.class && elements[0] == String.class) {
      JsonObject object = (JsonObject) expect(raw instanceof JsonObject, raw, where, "a JSON object");
      Map<String, Object> entries = new LinkedHashMap<>();
      for (String member : object.fieldNames()) {
        entries.put(member, value(object.getValue(member), elements[1], at(where, member)));
      }
      return java.util.Collections.unmodifiableMap(entries);
    }
    throw new IllegalArgumentException(where + " is a " + type.getSimpleName() + "; collections map as List, Set, "
        + "Map<String, …> or Optional");
  }

  private static BigDecimal whole(Object raw, String where) {
    BigDecimal number = decimal(raw, where);
    try {
      number.toBigIntegerExact();
      return number;
    } catch (ArithmeticException e) {
      throw mismatch(raw, where, "a whole number");
    }
  }

  private static BigDecimal decimal(Object raw, String where) {
    try {
      if (raw instanceof Number || raw instanceof String) {
        return new BigDecimal(raw.toString().trim());
      }
    } catch (NumberFormatException e) {
      // falls through to the mismatch below
    }
    throw mismatch(raw, where, "a number");
  }

  private static Object expect(boolean fits, Object raw, String where, String expected) {
    if (!fits) {
      throw mismatch(raw, where, expected);
    }
    return raw;
  }

  private static IllegalArgumentException mismatch(Object raw, String where, String expected) {
    String text = String.valueOf(raw);
    return new IllegalArgumentException(where + " is " + (text.length() > 60 ? text.substring(0, 60) + "…" : text)
        + ", not " + expected);
  }

  private static String at(String path, String member) {
    return path.isEmpty() ? member : path + "." + member;
  }

  static String kebab(String name) {
    StringBuilder out = new StringBuilder(name.length() + 4);
    for (char c : name.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }
}
