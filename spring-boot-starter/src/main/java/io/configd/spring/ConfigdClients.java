package io.configd.spring;

import io.configd.client.ConfigClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The running clients of this JVM, one per settings. Spring may build an Environment more than once in one process
 * (a Spring Cloud context refresh re-runs every config import): each build reads the client already running
 * instead of connecting a second one.
 */
final class ConfigdClients {

  private static final Map<ConfigdProperties, ConfigClient> RUNNING = new ConcurrentHashMap<>();

  private ConfigdClients() {
  }

  /**
   * The running client for these settings, or a new one once it has loaded its values (from a node, or from the
   * snapshot file when none answers).
   *
   * @throws ConfigdUnavailableException when it cannot load them
   */
  static synchronized ConfigClient started(ConfigdProperties properties) {
    ConfigClient running = RUNNING.get(properties);
    if (running != null) {
      return running;
    }
    ConfigClient client = properties.client();
    try {
      client.start().toCompletionStage().toCompletableFuture()
          .get(properties.startTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new ConfigdUnavailableException("configd: cannot load " + properties.watch() + " from "
          + properties.nodes() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      client.close();
      throw new ConfigdUnavailableException("configd: no answer from " + properties.nodes() + " within "
          + properties.startTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.close();
      throw new ConfigdUnavailableException("configd: interrupted while loading", e);
    }
    RUNNING.put(properties, client);
    return client;
  }

  /** Closes the client of these settings, writing its snapshot file; waits a few seconds at most. */
  static synchronized void close(ConfigdProperties properties) {
    ConfigClient client = RUNNING.remove(properties);
    if (client != null) {
      try {
        client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // closing is best effort: the process is stopping
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
