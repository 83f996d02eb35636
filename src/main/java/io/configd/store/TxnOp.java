package io.configd.store;

import io.configd.model.ConfigKey;

/**
 * One validated operation of a transaction (POST /v1/txn).
 *
 * @param encodedValue a put's value as JSON text; null for a delete or a check
 * @param critical     a put's flag; null keeps the key's current flag
 * @param expected     the condition on the key's current version ({@link Precondition#NONE} for none)
 */
public record TxnOp(Kind kind, ConfigKey key, String encodedValue, Boolean critical, String comment,
                    Precondition expected) {

  public enum Kind {
    PUT, DELETE, CHECK;

    /** The name of the op, in requests, answers and the batch function alike. */
    public String wire() {
      return name().toLowerCase();
    }
  }
}
