package io.configd.model;

/** A key prefix selecting a subtree; empty selects every key. Same grammar as a key otherwise. */
public record KeyPrefix(String value) {

  public static final KeyPrefix ALL = new KeyPrefix("");

  public static KeyPrefix parse(String value) {
    if (value == null || value.isEmpty()) {
      return ALL;
    }
    String trimmed = value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
    try {
      return new KeyPrefix(ConfigKey.parse(trimmed).value());
    } catch (ConfigdException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "prefix: " + e.getMessage());
    }
  }

  /** Lower bound (inclusive) and upper bound (exclusive) of the keys strictly below this prefix, in byte order. */
  public String childrenFrom() {
    return value + ".";
  }

  public String childrenTo() {
    return value + "/"; // '/' is the character right after '.'
  }

  public boolean isAll() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return value;
  }
}
