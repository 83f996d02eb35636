package io.configd.client;

import io.configd.model.Addresses;
import io.configd.model.ConfigValue;
import java.util.regex.Pattern;

/** One watched subtree: every key of {@code env} equal to {@code prefix} or below it; the empty prefix watches the whole environment. */
public record Watch(String env, String prefix) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

  public Watch {
    if (env == null || !NAME.matcher(env).matches() || env.contains(".")) {
      throw new IllegalArgumentException("environment '" + env + "' is not a valid name (letters, digits, '_' and '-')");
    }
    prefix = prefix == null ? "" : prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    if (!prefix.isEmpty() && !NAME.matcher(prefix).matches()) {
      throw new IllegalArgumentException("prefix '" + prefix + "' is not a key prefix: dot-separated segments of "
          + "letters, digits, '_' and '-', e.g. services.payment");
    }
  }

  /** The bridge address that carries every change of this subtree. */
  String address() {
    return Addresses.change(env, prefix);
  }

  boolean covers(ConfigValue change) {
    return env.equals(change.env()) && change.isUnder(prefix);
  }

  /** True when {@code key} (of this watch's environment) is the prefix itself or below it. */
  public boolean coversKey(String key) {
    return prefix.isEmpty() || key.equals(prefix) || key.startsWith(prefix + ".");
  }

  @Override
  public String toString() {
    return env + ":" + (prefix.isEmpty() ? "*" : prefix);
  }
}
