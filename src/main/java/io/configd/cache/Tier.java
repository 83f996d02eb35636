package io.configd.cache;

import java.util.Locale;

/** Where an answer came from. */
public enum Tier {
  NEAR, REDIS, POSTGRESQL;

  /** near, redis or postgresql. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
