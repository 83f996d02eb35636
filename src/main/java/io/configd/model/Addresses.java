package io.configd.model;

/** Every event-bus address configd uses. Only {@link #CHANGE_PREFIX} addresses are reachable from the bridge. */
public final class Addresses {

  /** Changes are published at config.&lt;env&gt;.&lt;key&gt; and at every ancestor of the key. */
  public static final String CHANGE_PREFIX = "config.";

  private Addresses() {
  }

  public static String change(String env, String path) {
    return path.isEmpty() ? CHANGE_PREFIX + env : CHANGE_PREFIX + env + "." + path;
  }
}
