package io.configd.store;

import io.configd.model.ConfigValue;
import java.util.List;

/**
 * Changes after a revision, in order. {@code next} is the revision to ask from next time: the last
 * change's, or the head's when this page reached it, so a reader never asks twice for the same range.
 */
public record ChangePage(List<ConfigValue> items, long next, long head, boolean more) {
}
