package io.configd.client;

import io.configd.model.ConfigValue;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change listeners by environment and key prefix; added and removed from any thread, called on the client's context.
 * A set of changes applied together (a transaction) is heard once it is applied whole: each change listener then
 * hears each of its changes, each set listener the set's changes under its prefix in one call.
 */
final class Listeners {

  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private record Entry(String env, String prefix, Consumer<ConfigValue> listener, Consumer<List<ConfigValue>> sets) {
  }

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  ListenerHandle add(String env, String prefixOrKey, Consumer<ConfigValue> listener) {
    return add(env, prefixOrKey, java.util.Objects.requireNonNull(listener, "listener"), null);
  }

  ListenerHandle addSets(String env, String prefixOrKey, Consumer<List<ConfigValue>> listener) {
    return add(env, prefixOrKey, null, java.util.Objects.requireNonNull(listener, "listener"));
  }

  private ListenerHandle add(String env, String prefixOrKey, Consumer<ConfigValue> listener,
                             Consumer<List<ConfigValue>> sets) {
    String prefix = prefixOrKey == null ? "" : prefixOrKey.endsWith(".")
        ? prefixOrKey.substring(0, prefixOrKey.length() - 1) : prefixOrKey;
    Entry entry = new Entry(env, prefix, listener, sets);
    entries.add(entry);
    return () -> entries.remove(entry);
  }

  /** Calls every listener whose environment and prefix cover the change; one failing listener stops no other. */
  void fire(ConfigValue change) {
    fire(List.of(change));
  }

  /** The changes just applied together: every listener whose environment and prefix cover some of them. */
  void fire(List<ConfigValue> applied) {
    if (applied.isEmpty()) {
      return;
    }
    for (Entry entry : entries) {
      List<ConfigValue> covered = applied.stream()
          .filter(change -> entry.env.equals(change.env()) && change.isUnder(entry.prefix)).toList();
      if (covered.isEmpty()) {
        continue;
      }
      if (entry.sets != null) {
        call(entry, covered.get(0), () -> entry.sets.accept(covered));
      } else {
        covered.forEach(change -> call(entry, change, () -> entry.listener.accept(change)));
      }
    }
  }

  private static void call(Entry entry, ConfigValue change, Runnable listener) {
    try {
      listener.run();
    } catch (RuntimeException e) {
      LOG.error("A change listener on {}:{} failed on {} revision {}", entry.env, entry.prefix, change.key(),
          change.revision(), e);
    }
  }
}
