package io.configd.model;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Carries a typed request or reply (an immutable record) between the verticles of one node as it is: no copy, no
 * JSON. Only for addresses sent with {@code setLocalOnly(true)}; it refuses to go over the cluster's wire.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Makes {@code types} the default codecs of this Vert.x; a type registered earlier (by another node) is kept. */
  public static void register(Vertx vertx, Class<?>... types) {
    for (Class<?> type : types) {
      register(vertx, type);
    }
  }

  private static <T> void register(Vertx vertx, Class<T> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // two nodes in one Vert.x (tests) share the codecs
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    throw new UnsupportedOperationException(type.getName() + " travels between the verticles of one node only");
  }

  @Override
  public T decodeFromWire(int position, Buffer buffer) {
    throw new UnsupportedOperationException(type.getName() + " travels between the verticles of one node only");
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "configd-local:" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
