package io.configd.store;

import io.configd.model.ConfigKey;

/**
 * One validated operation of a transaction (POST /v1/txn).
 *
 * @param encodedValue a put's value as JSON text; null for a delete or a check
 * @param critical     a put's flag; null keeps the key's current flag
 * @param expected     the condition on the key's current version ({@link Precondition#NONE} for none)
 * @param secret       a put's secret flag: true makes the key secret (sticky), null keeps it
 * @param sealed       the value's ciphertext once the pipeline sealed it
 */
public record TxnOp(Kind kind, ConfigKey key, String encodedValue, Boolean critical, String comment,
                    Precondition expected, Boolean secret, Sealer.Sealed sealed) {

  public TxnOp(Kind kind, ConfigKey key, String encodedValue, Boolean critical, String comment,
               Precondition expected) {
    this(kind, key, encodedValue, critical, comment, expected, null, null);
  }

  public TxnOp(Kind kind, ConfigKey key, String encodedValue, Boolean critical, String comment,
               Precondition expected, Boolean secret) {
    this(kind, key, encodedValue, critical, comment, expected, secret, null);
  }

  TxnOp sealedAs(Sealer.Sealed ciphertext) {
    return new TxnOp(kind, key, encodedValue, critical, comment, expected, Boolean.TRUE, ciphertext);
  }

  public enum Kind {
    PUT, DELETE, CHECK;

    /** The name of the op, in requests, answers and the batch function alike. */
    public String wire() {
      return name().toLowerCase();
    }
  }
}
