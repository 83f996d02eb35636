package io.configd.store;

import io.configd.model.ConfigKey;

/**
 * A validated request to record a new version of a key.
 *
 * @param encodedValue the value as JSON text, null for a deletion
 * @param critical     null keeps the key's current flag
 * @param expected     the If-Match / If-None-Match condition
 */
public record Write(String env, ConfigKey key, String encodedValue, boolean deleted, Boolean critical,
                    String comment, String actor, Precondition expected) {
}
