package io.configd.client;

import io.configd.model.ConfigValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups the live changes of a connection into what is applied together: a change no transaction wrote alone, a
 * transaction's changes once the connection has brought all it will bring ({@code txn.count} frames: a node sends a
 * transaction's frames back to back). A node that gives no count: the transaction is whole at its {@code last}
 * revision. What is left of a transaction when the connection is lost is dropped: the catch-up brings it whole.
 */
final class TxnUnits {

  private final List<ConfigValue> open = new ArrayList<>();
  private long openId = -1;

  /** Takes the next live change; returns the units it completes, in order (none while its transaction is open). */
  List<List<ConfigValue>> add(ConfigValue change) {
    List<List<ConfigValue>> units = new ArrayList<>(1);
    ConfigValue.Txn txn = change.txn();
    if (!open.isEmpty() && (txn == null || txn.id() != openId)) {
      units.add(List.copyOf(open)); // the rest will not come on this connection (a node that gave up a gap)
      open.clear();
    }
    if (txn == null) {
      units.add(List.of(change));
      return units;
    }
    openId = txn.id();
    open.add(change);
    if (txn.count() != null ? open.size() >= txn.count() : change.revision() >= txn.last()) {
      units.add(List.copyOf(open));
      open.clear();
    }
    return units;
  }

  /** The connection was lost: what is open is not applied. */
  void clear() {
    open.clear();
  }

  /**
   * The changes of whole pages (catch-up answers, which never end inside a transaction), in revision order, grouped:
   * each transaction's changes together, every other change alone.
   */
  static List<List<ConfigValue>> ofPages(List<ConfigValue> changes) {
    List<ConfigValue> sorted = new ArrayList<>(changes);
    sorted.sort((a, b) -> Long.compare(a.revision(), b.revision()));
    List<List<ConfigValue>> units = new ArrayList<>();
    List<ConfigValue> unit = new ArrayList<>();
    for (ConfigValue change : sorted) {
      boolean sameTxn = !unit.isEmpty() && change.txn() != null && unit.get(0).txn() != null
          && unit.get(0).txn().id() == change.txn().id();
      if (!unit.isEmpty() && !sameTxn) {
        units.add(unit);
        unit = new ArrayList<>();
      }
      unit.add(change);
    }
    if (!unit.isEmpty()) {
      units.add(unit);
    }
    return units;
  }
}
