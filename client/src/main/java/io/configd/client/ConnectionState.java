package io.configd.client;

/** How a {@link ConfigClient} is keeping its values up to date right now. */
public enum ConnectionState {
  /** Not loaded yet. */
  STARTING,
  /** Subscribed over a node's WebSocket bridge: changes arrive live. */
  BRIDGE,
  /** The bridge cannot be reached but a node's HTTP API can: changes arrive by polling /v1/changes. */
  HTTP_POLLING,
  /** No node answers: the values are the last ones known (maybe from the snapshot file); reconnecting. */
  DISCONNECTED,
  CLOSED
}
