package io.configd.store;

import io.configd.model.ConfigKey;
import io.configd.model.Targeting;
import java.util.List;

/**
 * A validated request to start a rollout.
 *
 * @param encodedValue     the value as JSON text
 * @param targeting        whom it reaches first (with a plan: the selector, and the first step's percentage)
 * @param steps            empty for a gray release held by hand
 * @param failureThreshold failures reported against it that roll it back; null: none
 * @param expectedBase     the released version it must stand on, null: whatever is released now
 */
public record NewRollout(String env, ConfigKey key, String encodedValue, Targeting targeting, List<Rollout.Step> steps,
                         Integer failureThreshold, Integer expectedBase, String comment, String actor) {
}
