package io.configd.store;

import io.configd.model.ConfigValue;
import java.util.List;

/**
 * Current values under a prefix, read in one snapshot at {@code revision} of {@code epoch}: they hold every change
 * up to it. {@code next} is the key to continue after when the prefix holds more, else null.
 */
public record Snapshot(List<ConfigValue> items, long revision, long epoch, String next) {
}
