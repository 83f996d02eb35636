package io.configd.spring;

import io.configd.client.ListenerHandle;
import io.configd.client.Watch;
import io.configd.model.ConfigValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Carries configd changes into the application: on its own thread (never the client's event loop), it refreshes
 * the configd property sources, has the {@link Rebinder} rebind what the changed properties feed, and publishes a
 * {@link ConfigdChangeEvent}. A transaction's changes are applied in one round; changes that arrive while one round runs
 * are gathered into the next.
 */
final class ConfigdRefresher implements SmartInitializingSingleton, DisposableBean {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigdRefresher.class);

  private final ConfigdClient configd;
  private final ConfigurableEnvironment environment;
  private final Rebinder rebinder;
  private final ApplicationEventPublisher publisher;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
    Thread named = new Thread(runnable, "configd-refresh");
    named.setDaemon(true);
    return named;
  });
  private final List<ListenerHandle> handles = new ArrayList<>();
  private final List<ConfigValue> pending = new ArrayList<>();
  private boolean scheduled;

  ConfigdRefresher(ConfigdClient configd, ConfigurableEnvironment environment, Rebinder rebinder,
                   ApplicationEventPublisher publisher) {
    this.configd = configd;
    this.environment = environment;
    this.rebinder = rebinder;
    this.publisher = publisher;
  }

  /**
   * Listens once every singleton exists, and catches up with what changed since the values were loaded. One set
   * listener per environment, over all its watches: a transaction's changes come in one call, even across two watches,
   * and are applied in one round (one refresh, one rebind, one event).
   */
  @Override
  public void afterSingletonsInstantiated() {
    Map<String, List<Watch>> byEnv = new LinkedHashMap<>();
    configd.properties().watches().forEach(watch -> byEnv.computeIfAbsent(watch.env(), env -> new ArrayList<>()).add(watch));
    byEnv.forEach((env, watches) -> handles.add(configd.client().env(env).onChanges("", changes -> changed(
        changes.stream().filter(change -> watches.stream().anyMatch(watch -> watch.coversKey(change.key()))).toList()))));
    schedule();
  }

  private void changed(List<ConfigValue> changes) {
    if (changes.isEmpty()) {
      return;
    }
    synchronized (pending) {
      pending.addAll(changes);
    }
    schedule();
  }

  private void schedule() {
    synchronized (pending) {
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    thread.execute(this::round);
  }

  private void round() {
    List<ConfigValue> changes;
    synchronized (pending) {
      scheduled = false;
      changes = new ArrayList<>(pending);
      pending.clear();
    }
    try {
      Set<String> names = new java.util.HashSet<>();
      for (PropertySource<?> source : environment.getPropertySources()) {
        if (source instanceof ConfigdPropertySource configdSource) {
          names.addAll(configdSource.refresh());
        }
      }
      if (names.isEmpty() && changes.isEmpty()) {
        return;
      }
      if (!names.isEmpty()) {
        rebinder.rebind(names);
      }
      LOG.info("configd: {} change(s) applied, {} propert{} updated", changes.size(), names.size(),
          names.size() == 1 ? "y" : "ies");
      publisher.publishEvent(new ConfigdChangeEvent(this, changes, names));
    } catch (RuntimeException e) {
      LOG.error("configd: applying {} change(s) failed", changes.size(), e);
    }
  }

  @Override
  public void destroy() throws InterruptedException {
    handles.forEach(ListenerHandle::remove);
    thread.shutdown();
    thread.awaitTermination(5, TimeUnit.SECONDS);
    ConfigdClients.close(configd.properties());
  }
}
