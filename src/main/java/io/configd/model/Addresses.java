package io.configd.model;

/** Every event-bus address configd uses. Only {@link #CHANGE_PREFIX} addresses are reachable from the bridge. */
public final class Addresses {

  /** Changes are published at config.&lt;env&gt;.&lt;key&gt; and at every ancestor of the key. */
  public static final String CHANGE_PREFIX = "config.";

  /** Request/reply, local to a node: its publisher's state and the relay backlog, for /ready and /v1/stats/publisher. */
  public static final String PUBLISHER_STATUS = "internal.publisher.status";

  private Addresses() {
  }

  public static String change(String env, String path) {
    return path.isEmpty() ? CHANGE_PREFIX + env : CHANGE_PREFIX + env + "." + path;
  }
}
