package io.configd.client;

/** Removes a change listener; removing twice does nothing. */
public interface ListenerHandle extends AutoCloseable {

  void remove();

  @Override
  default void close() {
    remove();
  }
}
