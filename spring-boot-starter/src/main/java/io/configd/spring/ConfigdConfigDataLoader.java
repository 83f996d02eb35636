package io.configd.spring;

import io.configd.client.ConfigClient;
import java.util.List;
import org.apache.commons.logging.Log;
import org.springframework.boot.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.boot.logging.DeferredLogFactory;

/**
 * Loads configd's values before the application context exists: starts the client (fail-fast, or from the snapshot
 * file), contributes a {@link ConfigdPropertySource} over it, and hands the client and its settings to the context
 * as beans, where {@link ConfigdAutoConfiguration} keeps the Environment live.
 */
public final class ConfigdConfigDataLoader implements ConfigDataLoader<ConfigdConfigDataResource> {

  /** Spring's logging starts after the config imports: this log is replayed once it does. */
  private final Log log;

  public ConfigdConfigDataLoader(DeferredLogFactory logs) {
    this.log = logs.getLog(ConfigdConfigDataLoader.class);
  }

  @Override
  public ConfigData load(ConfigDataLoaderContext context, ConfigdConfigDataResource resource) {
    ConfigdProperties properties = resource.properties();
    ConfigClient client;
    try {
      client = ConfigdClients.started(properties);
    } catch (ConfigdUnavailableException e) {
      if (resource.optional()) {
        log.warn("configd: starting without configd's values (optional:configd:): " + e.getMessage());
        throw new ConfigDataResourceNotFoundException(resource, e);
      }
      throw e;
    }
    context.getBootstrapContext().registerIfAbsent(ConfigdClient.class,
        InstanceSupplier.of(new ConfigdClient(client, properties)));
    context.getBootstrapContext().addCloseListener(event -> {
      ConfigdClient handed = event.getBootstrapContext().get(ConfigdClient.class);
      if (!event.getApplicationContext().getBeanFactory().containsSingleton(ConfigdClient.BEAN)) {
        event.getApplicationContext().getBeanFactory().registerSingleton(ConfigdClient.BEAN, handed);
      }
    });
    ConfigdPropertySource source = new ConfigdPropertySource(client, properties.watches());
    log.info("configd: " + source.getPropertyNames().length + " properties from " + properties.watch() + " ("
        + client.connectedNode().map(node -> "node " + node).orElse("snapshot file " + properties.snapshotFile()) + ")");
    return new ConfigData(List.of(source), ConfigData.Option.IGNORE_IMPORTS, ConfigData.Option.IGNORE_PROFILES);
  }
}
