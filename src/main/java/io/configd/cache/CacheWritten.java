package io.configd.cache;

import io.configd.model.ConfigValue;
import java.util.List;

/**
 * The message of {@link io.configd.model.Addresses#CACHE_WRITTEN}: the versions one write (or one transaction) of
 * this node committed, in one message, sent once this node's near cache holds them.
 */
public record CacheWritten(List<ConfigValue> values) {
}
