package io.configd.cache;

import io.configd.model.ConfigValue;
import io.vertx.core.buffer.Buffer;

/**
 * One version of a key as the cache holds it: the value and its API answer, encoded once (the same bytes Redis holds),
 * so that a hit is a lookup and a write.
 */
public record CachedEntry(ConfigValue value, Buffer body) {

  public static CachedEntry of(ConfigValue value) {
    return new CachedEntry(value, value.toJson().toBuffer());
  }

  /** The entry Redis holds, as its JSON text: decoded once, and the text kept as the answer. */
  static CachedEntry fromRedis(String json) {
    Buffer body = Buffer.buffer(json);
    return new CachedEntry(ConfigValue.fromJson(body.toJsonObject()), body);
  }

  public int version() {
    return value.version();
  }

  /** The ETag of this version: its number in quotes. */
  public String etag() {
    return "\"" + value.version() + "\"";
  }
}
