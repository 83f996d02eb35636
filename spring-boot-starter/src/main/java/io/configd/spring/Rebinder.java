package io.configd.spring;

import java.util.Set;

/** Rebinds what depends on changed properties: {@code @ConfigurationProperties} beans, and refresh-scoped beans. */
interface Rebinder {

  void rebind(Set<String> propertyNames);
}
