package io.configd.instances;

import io.configd.model.Instance;
import io.configd.model.InstanceAck;
import io.configd.store.InstancePresence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The instances connected to this node, and what each said it applied: told by the bridge sessions and the reads that
 * name an instance (any API event loop), read by the {@link InstancesVerticle}'s heartbeat, which writes what changed
 * to PostgreSQL in one batch so that every node can list the cluster's instances. One per node, built by the node;
 * every method is synchronized (a hello, an ack, a close are rare next to the changes the bridge writes).
 */
public final class InstanceBook {

  /** One instance's entry: its connections here (bridge sockets, watch streams), its reads, its acks. */
  private static final class Entry {
    Instance instance;
    final Set<String> transports = new TreeSet<>();
    final List<Connection> connections = new ArrayList<>();
    /**
     * "env:prefix" read over plain HTTP (a GET naming the instance), least recently read first: at most as many as a
     * bridge socket may watch, the least recently read dropped for a new one.
     */
    final LinkedHashMap<String, Boolean> reads = new LinkedHashMap<>(16, 0.75f, true);
    final Map<String, Applied> acks = new TreeMap<>();
    /** What its connections watched when the last of them closed: what a gone instance is listed under. */
    final Set<String> watched = new TreeSet<>();
    final Instant connectedAt = Instant.now();
    /** System.nanoTime of the last read over plain HTTP, or 0. */
    long lastRead;
    boolean dirty = true;

    Entry(Instance instance) {
      this.instance = instance;
    }
  }

  /** What an instance applied in one environment: the acks merged. */
  private static final class Applied {
    long revision;
    long failures;
    final TreeMap<String, Long> keys = new TreeMap<>();
  }

  /** One bridge socket's or watch stream's share of an instance: its watches; closed when the socket closes. */
  public final class Connection {
    private final String id;
    private final Set<String> watches = new TreeSet<>();
    private boolean closed;

    private Connection(String id) {
      this.id = id;
    }

    /** The socket subscribed to {@code prefix} of {@code env}. */
    public void watch(String env, String prefix) {
      synchronized (InstanceBook.this) {
        if (!closed && watches.add(env + ':' + prefix)) {
          entry().dirty = true;
        }
      }
    }

    public void unwatch(String env, String prefix) {
      synchronized (InstanceBook.this) {
        if (!closed && watches.remove(env + ':' + prefix)) {
          Entry entry = entry();
          entry.dirty = true;
          prune(entry, env);
        }
      }
    }

    public void ack(InstanceAck ack) {
      synchronized (InstanceBook.this) {
        if (!closed) {
          merge(entry(), ack);
        }
      }
    }

    /** The socket closed: the instance is gone once no other connection or recent read holds it. */
    public void close() {
      synchronized (InstanceBook.this) {
        if (!closed) {
          closed = true;
          Entry entry = entries.get(id);
          if (entry != null) {
            entry.watched.clear();
            entry.watched.addAll(watches);
            entry.connections.remove(this);
            entry.connections.forEach(other -> entry.watched.addAll(other.watches));
            entry.dirty = true;
          }
        }
      }
    }

    private Entry entry() {
      return entries.get(id);
    }
  }

  private final Map<String, Entry> entries = new HashMap<>();
  private final String node;
  private final int maxWatches;

  /**
   * @param node       this node's name, which the listing shows each instance connected to
   * @param maxWatches how many prefixes an instance's HTTP reads are recorded under: a bridge socket's registration
   *                   limit ({@code bridge.maxHandlersPerSocket}), so that a reader of ever new keys stays bounded too
   */
  public InstanceBook(String node, int maxWatches) {
    this.node = node;
    this.maxWatches = maxWatches;
  }

  public String node() {
    return node;
  }

  /** A bridge socket or watch stream of {@code instance} opened ({@code transport}: sockjs, websocket, tcp, sse). */
  public synchronized Connection connect(Instance instance, String transport) {
    Entry entry = entries.computeIfAbsent(instance.id(), id -> new Entry(instance));
    entry.instance = instance;
    entry.transports.add(transport);
    entry.dirty = true;
    Connection connection = new Connection(instance.id());
    entry.connections.add(connection);
    return connection;
  }

  /** A read over plain HTTP that named its instance: it counts as connected while it keeps reading. */
  public synchronized void read(Instance instance, String env, String prefix) {
    Entry entry = touched(instance);
    if (entry.reads.put(env + ':' + prefix, Boolean.TRUE) != null) {
      return;
    }
    entry.dirty = true;
    if (entry.reads.size() > maxWatches) {
      String oldest = entry.reads.keySet().iterator().next();
      entry.reads.remove(oldest);
      prune(entry, oldest.substring(0, oldest.indexOf(':')));
    }
  }

  /** An ack sent over plain HTTP. */
  public synchronized void ack(Instance instance, InstanceAck ack) {
    merge(touched(instance), ack);
  }

  private Entry touched(Instance instance) {
    Entry entry = entries.computeIfAbsent(instance.id(), id -> new Entry(instance));
    if (!entry.instance.equals(instance)) {
      entry.instance = instance;
      entry.dirty = true;
    }
    entry.lastRead = System.nanoTime();
    if (entry.transports.add("http")) {
      entry.dirty = true;
    }
    return entry;
  }

  /** How many instances are connected to this node now. */
  public synchronized int size() {
    return entries.size();
  }

  /** The ids of the instances connected to this node now. */
  public synchronized List<String> ids() {
    return List.copyOf(entries.keySet());
  }

  /**
   * The entries that changed since the last call, and those that left (no connection, and no read for
   * {@code readNanos}); those that left are forgotten here, PostgreSQL keeps them as gone.
   */
  public synchronized List<InstancePresence> changed(long readNanos) {
    long now = System.nanoTime();
    List<InstancePresence> changed = new ArrayList<>();
    for (var iterator = entries.values().iterator(); iterator.hasNext(); ) {
      Entry entry = iterator.next();
      boolean reading = entry.lastRead != 0 && now - entry.lastRead < readNanos;
      boolean gone = entry.connections.isEmpty() && !reading;
      if (gone) {
        iterator.remove();
      }
      if (entry.dirty || gone) {
        entry.dirty = false;
        changed.add(snapshot(entry, gone));
      }
    }
    return changed;
  }

  /** Everything, dirty or not (after PostgreSQL lost what the last heartbeats wrote). */
  public synchronized void markAllChanged() {
    entries.values().forEach(entry -> entry.dirty = true);
  }

  private static InstancePresence snapshot(Entry entry, boolean gone) {
    Set<String> watches = new TreeSet<>();
    entry.connections.forEach(connection -> watches.addAll(connection.watches));
    if (gone) {
      watches.addAll(entry.watched);
    }
    watches.addAll(entry.reads.keySet());
    Map<String, InstanceAck> acks = new TreeMap<>();
    entry.acks.forEach((env, applied) -> acks.put(env,
        new InstanceAck(env, applied.revision, applied.keys, applied.failures)));
    return new InstancePresence(entry.instance, Set.copyOf(entry.transports), watches, acks, entry.connectedAt, gone);
  }

  private static void merge(Entry entry, InstanceAck ack) {
    Applied applied = entry.acks.computeIfAbsent(ack.env(), env -> new Applied());
    applied.revision = ack.revision();
    applied.failures = ack.failures(); // the client's count against that revision, not an increment
    applied.keys.putAll(ack.keys());
    // a long-lived instance acks keys that were deleted since: the map holds at most what one ack may name
    for (var keys = applied.keys.descendingKeySet().iterator(); applied.keys.size() > InstanceAck.MAX_KEYS; ) {
      if (!ack.keys().containsKey(keys.next())) {
        keys.remove();
      }
    }
    entry.dirty = true;
  }

  /** A watch of {@code env} ended: the keys no remaining watch or read of the instance covers are no longer its. */
  private static void prune(Entry entry, String env) {
    Applied applied = entry.acks.get(env);
    if (applied == null) {
      return;
    }
    Set<String> prefixes = new TreeSet<>();
    entry.reads.keySet().forEach(read -> addPrefix(prefixes, env, read));
    entry.connections.forEach(connection -> connection.watches.forEach(watch -> addPrefix(prefixes, env, watch)));
    applied.keys.keySet().removeIf(key -> prefixes.stream().noneMatch(prefix -> covers(prefix, key)));
  }

  /** Adds the prefix of an "env:prefix" watch or read if it is of {@code env}. */
  private static void addPrefix(Set<String> prefixes, String env, String watch) {
    if (watch.startsWith(env + ':')) {
      prefixes.add(watch.substring(env.length() + 1));
    }
  }

  private static boolean covers(String prefix, String key) {
    return prefix.isEmpty() || key.equals(prefix) || key.startsWith(prefix + '.');
  }
}
