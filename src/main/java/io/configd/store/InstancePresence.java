package io.configd.store;

import io.configd.model.Instance;
import io.configd.model.InstanceAck;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One instance as a node's heartbeat writes it: who it is, how it is connected to the node, what it watches and what
 * it applied.
 *
 * @param watches     env:prefix pairs
 * @param acks        by env: what it acknowledged there, merged
 * @param gone        whether it left the node (no connection, no recent read)
 */
public record InstancePresence(Instance instance, Set<String> transports, Set<String> watches,
                               Map<String, InstanceAck> acks, Instant connectedAt, boolean gone) {
}
