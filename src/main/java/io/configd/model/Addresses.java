package io.configd.model;

/** Every event-bus address configd uses. Only {@link #CHANGE_PREFIX} addresses are reachable from the bridge. */
public final class Addresses {

  /** Changes are published at config.&lt;env&gt;.&lt;key&gt; and at every ancestor of the key. */
  public static final String CHANGE_PREFIX = "config.";

  /** Request/reply, from the bridge: {env, prefix} → every current value under the prefix and its revision. */
  public static final String SNAPSHOT = "configd.snapshot";

  /** Request/reply, from the bridge: {env, prefix, since, limit} → the changes after that revision, in order. */
  public static final String CHANGES = "configd.changes";

  /** Local publish: close every bridge socket of this node (they reconnect and catch up). */
  public static final String BRIDGE_DISCONNECT_ALL = "configd.bridge.disconnect-all";

  /** Local publish: a committed change (Change JSON), so that every cache tier of this node drops older copies. */
  public static final String CACHE_INVALIDATE = "configd.cache.invalidate";

  /** Local request/reply: the propagation verticle's counters. */
  public static final String PROPAGATION_STATS = "configd.propagation.stats";
  /** Request/reply: the publisher's state and the relay backlog (JSON), for /ready and /v1/stats/publisher. */
  public static final String PUBLISHER_STATUS = "internal.publisher.status";

  private Addresses() {
  }

  public static String change(String env, String path) {
    return path.isEmpty() ? CHANGE_PREFIX + env : CHANGE_PREFIX + env + "." + path;
  }
}
