package io.configd.store;

import io.configd.model.ConfigKey;

/**
 * A validated request to record a new version of a key.
 *
 * @param encodedValue the value as JSON text, null for a deletion
 * @param critical     null keeps the key's current flag
 * @param expected     the If-Match / If-None-Match condition
 * @param secret       true makes the key secret (sticky), null keeps its flag, false refuses a secret key
 * @param sealed       the value's ciphertext once the pipeline sealed it (then {@code encodedValue} is not sent)
 */
public record Write(String env, ConfigKey key, String encodedValue, boolean deleted, Boolean critical,
                    String comment, String actor, Precondition expected, Boolean secret, Sealer.Sealed sealed) {

  /** A write that keeps the key's secret flag. */
  public Write(String env, ConfigKey key, String encodedValue, boolean deleted, Boolean critical, String comment,
               String actor, Precondition expected) {
    this(env, key, encodedValue, deleted, critical, comment, actor, expected, null, null);
  }

  Write sealedAs(Sealer.Sealed ciphertext) {
    return new Write(env, key, encodedValue, deleted, critical, comment, actor, expected, Boolean.TRUE, ciphertext);
  }
}
