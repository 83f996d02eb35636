package io.configd.model;

/** Every event-bus address configd uses. Only {@link #CHANGE_PREFIX} addresses are reachable from the bridge. */
public final class Addresses {

  /** Changes are published at config.&lt;env&gt;.&lt;key&gt; and at every ancestor of the key. */
  public static final String CHANGE_PREFIX = "config.";

  /** Request/reply, from the bridge: {env, prefix} → every current value under the prefix and its revision. */
  public static final String SNAPSHOT = "configd.snapshot";

  /** Request/reply, from the bridge: {env, prefix, since, limit} → the changes after that revision, in order. */
  public static final String CHANGES = "configd.changes";

  /** Request/reply, from the bridge: {instance, app, labels} names the socket's instance ({@link Instance}). */
  public static final String HELLO = "configd.hello";

  /** Request/reply, from the bridge: {env, revision, keys, failures}, what the socket's instance applied. */
  public static final String ACK = "configd.ack";

  /** Local publish: close every bridge socket of this node (they reconnect and catch up). */
  public static final String BRIDGE_DISCONNECT_ALL = "configd.bridge.disconnect-all";

  /**
   * Local publish: a transaction's changes, released together once its last revision is ({@code {changes: [...]}}, in
   * revision order), after each was published at its change addresses: the bridge writes them from this one message.
   */
  public static final String TXN_RELEASED = "configd.txn.released";

  /** Local request/reply: the propagation verticle's counters. */
  public static final String PROPAGATION_STATS = "configd.propagation.stats";
  /** Request/reply, local to a node: its publisher's state and the relay backlog, for /ready and /v1/stats/publisher. */
  public static final String PUBLISHER_STATUS = "configd.publisher.status";

  /** Cache, request/reply, local: {env, key} → {entry (the entry's JSON, null when absent), source, stale}. */
  public static final String CACHE_GET = "configd.cache.get";
  /**
   * Cache, request/reply, local: {env, prefix, after, limit, readable} → {items, next}; always read from PostgreSQL.
   * readable, when present, lists the prefixes the caller may read: only entries under one of them are listed.
   */
  public static final String CACHE_LIST = "configd.cache.list";
  /**
   * Cache, publish, local: the entries a write (or a transaction) just committed, once this node's near cache holds
   * them; the cache verticle invalidates Redis, and through it the other nodes.
   */
  public static final String CACHE_WRITTEN = "configd.cache.written";
  /** Cache, publish, local: a committed change ({@link Change} JSON) from the change stream; drops older entries. */
  public static final String CACHE_INVALIDATE = "configd.cache.invalidate";
  /** Cache, request/reply, local: {} → counters per tier. */
  public static final String CACHE_STATS = "configd.cache.stats";

  /** Publish, to every node: {id} of a token just revoked; each API instance drops it from its token cache. */
  public static final String TOKEN_REVOKED = "configd.auth.token-revoked";

  /** Local request/reply: cluster membership and the size of the cluster's subscription map. */
  public static final String CLUSTER_STATS = "configd.cluster.stats";

  /** Request/reply, node-local: the secrets' keys and the re-encryption's progress (GET /v1/secrets/status). */
  public static final String SECRETS_STATUS = "configd.secrets.status";

  private Addresses() {
  }

  public static String change(String env, String path) {
    return path.isEmpty() ? CHANGE_PREFIX + env : CHANGE_PREFIX + env + "." + path;
  }

  /** Published when a node changed a schema or an approval policy: every node (clustered) reloads its guards. */
  public static final String GUARDS_CHANGED = "configd.guards.changed";
}
