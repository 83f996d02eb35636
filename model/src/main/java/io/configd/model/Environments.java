package io.configd.model;

import io.vertx.core.json.JsonArray;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The environments this deployment knows (development, staging, production by default). */
public final class Environments {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private final Set<String> names;

  public Environments(List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("at least one environment must be configured");
    }
    for (String name : names) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("environment name '" + name + "' must match " + NAME.pattern());
      }
    }
    this.names = new LinkedHashSet<>(names);
  }

  public static Environments from(JsonArray names) {
    return new Environments(names.stream().map(Object::toString).toList());
  }

  /** The environment named by a request, or a failure that lists the ones allowed. */
  public String parse(String name) {
    if (name == null || name.isEmpty()) {
      throw new ConfigdException(Failure.UNKNOWN_ENVIRONMENT,
          "the query parameter 'env' is required; one of " + String.join(", ", names));
    }
    if (!names.contains(name)) {
      throw new ConfigdException(Failure.UNKNOWN_ENVIRONMENT,
          "unknown environment '" + name + "'; one of " + String.join(", ", names));
    }
    return name;
  }

  public Set<String> names() {
    return names;
  }
}
