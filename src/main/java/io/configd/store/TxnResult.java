package io.configd.store;

import io.configd.model.ConfigValue;
import java.util.List;

/**
 * A committed transaction.
 *
 * @param txn      its id, the revision of its first change; null when it held only checks
 * @param revision the revision of its last change; for checks only, the head its checks held at
 * @param results  one per op, in order
 */
public record TxnResult(Long txn, long revision, List<OpResult> results) {

  /**
   * @param version  the version the op recorded; a check's: the key's current version (0: never written)
   * @param recorded the version a put or delete recorded, null for a check
   */
  public record OpResult(TxnOp op, int version, ConfigValue recorded) {
  }
}
