package io.configd.model;

import java.util.ArrayList;
import java.util.List;

/** A configuration key: dot-separated segments of [A-Za-z0-9_-], e.g. {@code services.payment.database_url}. */
public record ConfigKey(String value) {

  public static final int MAX_LENGTH = 256;

  public ConfigKey {
    if (value == null || value.isEmpty()) {
      throw invalid("the key is empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw invalid("the key is " + value.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
    }
    if (!grammatical(value)) {
      throw invalid("'" + value + "' is not a valid key; a key is dot-separated segments of letters, digits, '_' and '-', "
          + "with no empty segment (e.g. services.payment.database_url)");
    }
  }

  /**
   * {@code [A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*}, checked by hand: every change a node reads names its key again (the
   * regular expression was ~1 % of a writing node's CPU).
   */
  static boolean grammatical(String value) {
    boolean segmentStarted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '.') {
        if (!segmentStarted) {
          return false;
        }
        segmentStarted = false;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
        segmentStarted = true;
      } else {
        return false;
      }
    }
    return segmentStarted;
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
