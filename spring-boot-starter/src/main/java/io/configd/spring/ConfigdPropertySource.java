package io.configd.spring;

import io.configd.client.ConfigClient;
import io.configd.client.ConfigReader;
import io.configd.client.Watch;
import io.configd.model.SpringProperties;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * configd's values as Spring properties, by {@link SpringProperties}: a key is a property of the same name
 * ({@code services.payment.pool-size}, which binds a {@code poolSize} field or record component by Spring's relaxed
 * binding), JSON objects and arrays are spread into members and elements; the first watch listed wins over later
 * ones.
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

  /** The properties of the watches' values (an environment's current values by key); the first watch wins. */
  static Map<String, Object> flatten(List<Watch> watches, java.util.function.Function<String, Map<String, Object>> values) {
    Map<String, Object> flattened = new LinkedHashMap<>();
    for (int i = watches.size() - 1; i >= 0; i--) {
      Watch watch = watches.get(i);
      Map<String, Object> covered = new java.util.HashMap<>();
      values.apply(watch.env()).forEach((key, value) -> {
        if (watch.coversKey(key)) {
          covered.put(key, value);
        }
      });
      flattened.putAll(SpringProperties.of(covered, ""));
    }
    return flattened;
  }
}
