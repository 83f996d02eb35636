package io.configd.spring;

import java.util.Arrays;
import java.util.List;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.properties.bind.Bindable;

/**
 * Resolves {@code spring.config.import=configd:} (settings from {@code configd.*}) and
 * {@code configd:http://c1:8080,http://c2:8080} (those nodes); {@code optional:configd:} lets the service start
 * without configd when no node answers and there is no snapshot file.
 */
public final class ConfigdConfigDataLocationResolver implements ConfigDataLocationResolver<ConfigdConfigDataResource> {

  static final String PREFIX = "configd:";

  @Override
  public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    return location.hasPrefix(PREFIX);
  }

  @Override
  public List<ConfigdConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    ConfigdProperties properties = context.getBinder().bind(ConfigdProperties.PREFIX, Bindable.of(ConfigdProperties.class))
        .orElseGet(() -> new ConfigdProperties(null, null, null, null, java.time.Duration.ofSeconds(30), true, null, null))
        .withApplicationName(context.getBinder().bind("spring.application.name", String.class).orElse(null));
    String nodes = location.getNonPrefixedValue(PREFIX).trim();
    if (!nodes.isEmpty()) {
      properties = properties.withNodes(Arrays.stream(nodes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }
    properties.watches();
    return List.of(new ConfigdConfigDataResource(properties, location.isOptional()));
  }
}
