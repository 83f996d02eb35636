package io.configd.store;

import io.configd.model.ConfigValue;
import java.util.List;

/**
 * Changes after a revision, in order. {@code next} is the revision to ask from next time: the last
 * change's, or the head's when this page reached it, so a reader never asks twice for the same range.
 * {@code epoch} names the database's history these revisions belong to (a restored database has a new one).
 */
public record ChangePage(List<ConfigValue> items, long next, long head, boolean more, long epoch) {
}
