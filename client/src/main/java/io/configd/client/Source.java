package io.configd.client;

import io.configd.model.ConfigValue;
import io.configd.model.InstanceAck;
import io.vertx.core.Future;
import java.util.List;

/** Where the client reads snapshots and catch-up pages from: a node's bridge or its HTTP API. */
interface Source {

  /**
   * One page of the current values of a watch, after the key {@code after} (null for the first page).
   *
   * @param revision the revision these values hold every change up to
   * @param epoch    the database's epoch (its history; new after a restore), 0 from a node that does not say
   * @param next     the key to continue after, or null on the last page
   */
  record SnapshotPage(List<ConfigValue> items, long revision, long epoch, String next) {
  }

  /**
   * One page of the changes of a watch after a revision, in revision order.
   *
   * @param next  the revision the watch is complete up to once these items are applied; ask from it next
   * @param epoch the database's epoch, 0 from a node that does not say
   */
  record ChangesPage(List<ConfigValue> items, long next, boolean more, long epoch) {
  }

  Future<SnapshotPage> snapshot(Watch watch, String after);

  /** Fails with a {@link SnapshotRequiredException} when the node cannot answer the changes after {@code since}. */
  Future<ChangesPage> changes(Watch watch, long since);

  /** Tells the node what this instance applied ({@link Acks}); only for a client that names its instance. */
  Future<Void> ack(InstanceAck ack);

  /** The node this source talks to, for logs. */
  NodeAddress node();
}
