package io.configd.spring;

import io.configd.client.ConfigClient;

/**
 * The bean the starter registers: the running {@link ConfigClient} (typed reads, {@code onChange}, connection state)
 * with the settings it was built from.
 */
public record ConfigdClient(ConfigClient client, ConfigdProperties properties) {

  static final String BEAN = "configdClient";
}
