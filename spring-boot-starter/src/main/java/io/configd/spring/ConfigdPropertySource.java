package io.configd.spring;

import io.configd.client.ConfigClient;
import io.configd.client.ConfigReader;
import io.configd.client.Watch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * configd's values as Spring properties. A key is a property of the same name
 * ({@code services.payment.pool-size}, which binds a {@code poolSize} field or record component by Spring's relaxed
 * binding); a JSON object value adds one property per member ({@code services.payment.db} = {"url": …} gives
 * {@code services.payment.db.url}) and a JSON array one per element ({@code services.payment.hosts[0]}), the way
 * Spring reads YAML. A key written on its own wins over a member of an object at a shorter key, and the first
 * watch listed wins over later ones.
 *
 * <p>The properties are a snapshot of the client's values, replaced by {@link #refresh()} after each change;
 * a reader never sees half of a change.
 */
public final class ConfigdPropertySource extends EnumerablePropertySource<ConfigClient> {

  public static final String NAME = "configd";

  private final List<Watch> watches;
  private volatile Map<String, Object> properties;
  private volatile String[] names;

  ConfigdPropertySource(ConfigClient client, List<Watch> watches) {
    super(NAME, client);
    this.watches = watches;
    refresh();
  }

  @Override
  public Object getProperty(String name) {
    return properties.get(name);
  }

  @Override
  public boolean containsProperty(String name) {
    return properties.containsKey(name);
  }

  @Override
  public String[] getPropertyNames() {
    return names.clone();
  }

  /** Reads the client's current values again; the names of the properties added, changed or removed. */
  synchronized Set<String> refresh() {
    Map<String, Object> next = flatten(watches, env -> current(getSource().env(env)));
    Map<String, Object> previous = properties == null ? Map.of() : properties;
    Set<String> changed = new HashSet<>();
    next.forEach((name, value) -> {
      if (!Objects.equals(previous.get(name), value)) {
        changed.add(name);
      }
    });
    previous.keySet().stream().filter(name -> !next.containsKey(name)).forEach(changed::add);
    properties = next;
    names = next.keySet().toArray(String[]::new);
    return changed;
  }

  private static Map<String, Object> current(ConfigReader reader) {
    Map<String, Object> values = new java.util.HashMap<>();
    for (String key : reader.keys()) {
      reader.find(key).ifPresent(value -> values.put(key, value));
    }
    return values;
  }

  /** The properties of the watches' values (an environment's current values by key), by the mapping above. */
  static Map<String, Object> flatten(List<Watch> watches, java.util.function.Function<String, Map<String, Object>> values) {
    Map<String, Object> flattened = new LinkedHashMap<>();
    for (int i = watches.size() - 1; i >= 0; i--) {
      Watch watch = watches.get(i);
      Map<String, Object> env = values.apply(watch.env());
      Map<String, Object> members = new LinkedHashMap<>();
      Map<String, Object> own = new LinkedHashMap<>();
      env.keySet().stream().filter(watch::coversKey).sorted().forEach(key -> {
        Object value = env.get(key);
        if (value instanceof JsonObject || value instanceof JsonArray) {
          expand(key, value, members);
        } else {
          own.put(key, value);
        }
      });
      flattened.putAll(members);
      flattened.putAll(own);
    }
    return flattened;
  }

  private static void expand(String name, Object value, Map<String, Object> into) {
    if (value instanceof JsonObject object) {
      object.forEach(member -> expand(name + "." + member.getKey(), member.getValue(), into));
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        expand(name + "[" + i + "]", array.getValue(i), into);
      }
    } else if (value != null) {
      into.put(name, value);
    }
  }
}
