package io.configd.client;

import io.configd.model.ConfigValue;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Change listeners by environment and key prefix; added and removed from any thread, called on the client's context. */
final class Listeners {

  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private record Entry(String env, String prefix, Consumer<ConfigValue> listener) {
  }

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  ListenerHandle add(String env, String prefixOrKey, Consumer<ConfigValue> listener) {
    String prefix = prefixOrKey == null ? "" : prefixOrKey.endsWith(".")
        ? prefixOrKey.substring(0, prefixOrKey.length() - 1) : prefixOrKey;
    Entry entry = new Entry(env, prefix, java.util.Objects.requireNonNull(listener, "listener"));
    entries.add(entry);
    return () -> entries.remove(entry);
  }

  /** Calls every listener whose environment and prefix cover the change; one failing listener stops no other. */
  void fire(ConfigValue change) {
    for (Entry entry : entries) {
      if (entry.env.equals(change.env()) && change.isUnder(entry.prefix)) {
        try {
          entry.listener.accept(change);
        } catch (RuntimeException e) {
          LOG.error("A change listener on {}:{} failed on {} revision {}", entry.env, entry.prefix, change.key(),
              change.revision(), e);
        }
      }
    }
  }
}
