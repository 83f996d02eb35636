package io.configd.store;

import io.configd.model.KeyPrefix;
import java.time.Instant;

/** Filters of an audit listing; null env, actor or since means "any". */
public record AuditQuery(String env, KeyPrefix prefix, String actor, Instant since) {
}
