package io.configd.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A configuration key: dot-separated segments of [A-Za-z0-9_-], e.g. {@code services.payment.database_url}. */
public record ConfigKey(String value) {

  public static final int MAX_LENGTH = 256;
  private static final Pattern GRAMMAR = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

  public ConfigKey {
    if (value == null || value.isEmpty()) {
      throw invalid("the key is empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw invalid("the key is " + value.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
    }
    if (!GRAMMAR.matcher(value).matches()) {
      throw invalid("'" + value + "' is not a valid key; a key is dot-separated segments of letters, digits, '_' and '-', "
          + "with no empty segment (e.g. services.payment.database_url)");
    }
  }

  public static ConfigKey parse(String value) {
    return new ConfigKey(value);
  }

  /** This key and every key above it, nearest first: a.b.c, a.b, a. */
  public List<String> selfAndAncestors() {
    List<String> paths = new ArrayList<>();
    String path = value;
    while (true) {
      paths.add(path);
      int dot = path.lastIndexOf('.');
      if (dot < 0) {
        return paths;
      }
      path = path.substring(0, dot);
    }
  }

  /** True when this key is the prefix itself or lies below it; the empty prefix holds every key. */
  public boolean isUnder(String prefix) {
    return prefix.isEmpty() || value.equals(prefix) || value.startsWith(prefix + ".");
  }

  private static ConfigdException invalid(String detail) {
    return new ConfigdException(Failure.INVALID_KEY, detail);
  }

  @Override
  public String toString() {
    return value;
  }
}
