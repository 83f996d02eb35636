package io.configd.store;

import java.util.List;

/** A validated transaction: its ops, in order, all recorded in one commit or none. Keys are distinct. */
public record Transaction(String env, String actor, List<TxnOp> ops) {
}
