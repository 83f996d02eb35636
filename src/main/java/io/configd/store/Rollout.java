package io.configd.store;

import io.configd.model.Selector;
import io.configd.model.Targeting;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One rollout as PostgreSQL keeps it: a value of a key for the instances its targeting names, standing on the released
 * version it started from, with its plan (steps) when it advances by itself.
 *
 * @param steps            empty for a gray release held by hand
 * @param step             the index of the current step, null without steps
 * @param failureThreshold failures reported against the rollout that roll it back; null: none
 * @param revision         the revision of its newest change in the change log
 */
public record Rollout(long id, String env, String key, Object value, int baseVersion, Targeting targeting,
                      List<Step> steps, Integer step, Instant stepStartedAt, Integer failureThreshold, State state,
                      String stopReason, long firstRevision, long revision, Integer promotedVersion, String comment,
                      Instant createdAt, String createdBy, Instant updatedAt, String updatedBy) {

  /** A step of a plan: the percentage it targets, and how long it bakes before the next. */
  public record Step(int basisPoints, long bakeMs) {

    public JsonObject toJson() {
      return new JsonObject().put("basisPoints", basisPoints).put("bakeMs", bakeMs);
    }

    public JsonObject toApiJson() {
      return new JsonObject().put("percentage", Targeting.percentage(basisPoints)).put("bakeMs", bakeMs);
    }

    static Step fromJson(JsonObject json) {
      return new Step(json.getInteger("basisPoints"), json.getLong("bakeMs"));
    }
  }

  public enum State {
    /** Its value reaches the targeted instances; a plan advances. */
    ACTIVE,
    /** Its value stays with the targeted instances; a plan does not advance until resumed. */
    PAUSED,
    /** Released to everyone as a new version. */
    PROMOTED,
    /** Stopped by hand: the targeted instances are back on the released value. */
    ABORTED,
    /** Stopped by a health signal (failures reported, an alarm): the targeted instances are back on the released value. */
    ROLLED_BACK,
    /** Another version of the key was released meanwhile, which every instance receives. */
    SUPERSEDED;

    public boolean live() {
      return this == ACTIVE || this == PAUSED;
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static State fromColumn(String text) {
      return valueOf(text.toUpperCase(Locale.ROOT));
    }

    String column() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public boolean live() {
    return state.live();
  }

  public boolean hasPlan() {
    return !steps.isEmpty();
  }

  /** As the API shows it. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("env", env).put("key", key).put("value", value)
        .put("baseVersion", baseVersion).put("state", state.wire());
    if (targeting.selector() != null) {
      json.put("selector", targeting.selector().toString());
    }
    if (targeting.basisPoints() != null) {
      json.put("percentage", Targeting.percentage(targeting.basisPoints()));
    }
    if (hasPlan()) {
      JsonArray plan = new JsonArray();
      steps.forEach(s -> plan.add(s.toApiJson()));
      json.put("steps", plan).put("step", step)
          .put("stepStartedAt", stepStartedAt == null ? null : stepStartedAt.toString());
    }
    json.put("failureThreshold", failureThreshold).put("stopReason", stopReason)
        .put("firstRevision", firstRevision).put("revision", revision).put("promotedVersion", promotedVersion)
        .put("comment", comment)
        .put("createdAt", createdAt.toString()).put("createdBy", createdBy)
        .put("updatedAt", updatedAt.toString()).put("updatedBy", updatedBy);
    return json;
  }

  static Targeting targeting(String selector, Integer basisPoints) {
    return new Targeting(selector == null ? null : Selector.parse(selector), basisPoints);
  }
}
