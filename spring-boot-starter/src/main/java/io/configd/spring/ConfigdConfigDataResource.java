package io.configd.spring;

import org.springframework.boot.context.config.ConfigDataResource;

/** What {@code spring.config.import=configd:} resolves to: the settings to load with. */
final class ConfigdConfigDataResource extends ConfigDataResource {

  private final ConfigdProperties properties;
  private final boolean optional;

  ConfigdConfigDataResource(ConfigdProperties properties, boolean optional) {
    super(optional);
    this.properties = properties;
    this.optional = optional;
  }

  /** True for {@code optional:configd:}: the service may start without configd's values. */
  boolean optional() {
    return optional;
  }

  ConfigdProperties properties() {
    return properties;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ConfigdConfigDataResource resource && resource.properties.equals(properties);
  }

  @Override
  public int hashCode() {
    return properties.hashCode();
  }

  @Override
  public String toString() {
    return properties.toString();
  }
}
