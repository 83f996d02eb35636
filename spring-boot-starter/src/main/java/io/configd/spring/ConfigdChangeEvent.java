package io.configd.spring;

import io.configd.model.ConfigValue;
import java.util.List;
import java.util.Set;
import org.springframework.context.ApplicationEvent;

/**
 * Published once configd changes are in the Environment and the {@code @ConfigurationProperties} beans (and
 * {@code @RefreshScope} beans, with Spring Cloud) are rebound: listen with {@code @EventListener}.
 */
public final class ConfigdChangeEvent extends ApplicationEvent {

  private final transient List<ConfigValue> changes;
  private final Set<String> propertyNames;

  ConfigdChangeEvent(Object source, List<ConfigValue> changes, Set<String> propertyNames) {
    super(source);
    this.changes = List.copyOf(changes);
    this.propertyNames = Set.copyOf(propertyNames);
  }

  /** The changes applied, in the order the client applied them (per key, in version order). */
  public List<ConfigValue> changes() {
    return changes;
  }

  /** The Spring properties added, changed or removed by them. */
  public Set<String> propertyNames() {
    return propertyNames;
  }
}
