package io.configd.stream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code txn.count} of the change messages one reader gets in one go (a catch-up answer, a bridge delivery): how
 * many of each transaction's changes are among them, so that the reader knows when it holds the whole transaction.
 */
public final class TxnCounts {

  private TxnCounts() {
  }

  /** Puts each transaction's count in its changes' {@code txn} member, in place; returns {@code changes}. */
  public static JsonArray put(JsonArray changes) {
    Map<Long, Integer> counts = new HashMap<>();
    for (int i = 0; i < changes.size(); i++) {
      JsonObject txn = changes.getJsonObject(i).getJsonObject("txn");
      if (txn != null) {
        counts.merge(txn.getLong("id"), 1, Integer::sum);
      }
    }
    for (int i = 0; i < changes.size() && !counts.isEmpty(); i++) {
      JsonObject txn = changes.getJsonObject(i).getJsonObject("txn");
      if (txn != null) {
        txn.put("count", counts.get(txn.getLong("id")));
      }
    }
    return changes;
  }
}
