package io.configd.model;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.time.format.DateTimeParseException;

/**
 * One version of one key: what a write records, what a read answers, what the change stream carries (Kafka record,
 * event-bus message, bridge frame) and what the client holds. {@code value} is a JSON value (String, Number, Boolean,
 * JsonObject, JsonArray), null when {@code deleted}; {@code comment} is null when the write had none.
 *
 * <p>The one JSON codec of the value, with one naming everywhere ({@code updatedAt}, {@code updatedBy}, as the audit
 * log too). It has two shapes, both read by {@link #fromJson}: the entry ({@link #toJson}: API answers, Redis) and the
 * change message ({@link #toChangeJson}: the change stream, {@code /v1/changes}, snapshots), which leaves out the
 * comment. Both carry {@code txn} when a transaction wrote the version.
 *
 * @param txn     the transaction that wrote this version (POST /v1/txn), null for a single write
 * @param rollout the rollout this change belongs to (a value for part of the fleet), null for a released value
 * @param secrecy whether the key is secret and in which form this copy carries its value
 * @param sealed  the ciphertext of a {@link Secrecy#SEALED} version, else null
 *
 * <p>A secret key's version travels {@link Secrecy#SEALED}: {@code value} is the {@link #MASK} and {@code sealed} the
 * AES-GCM ciphertext of the clear value (PostgreSQL, Redis, the near cache, Kafka). At the edge it becomes
 * {@link Secrecy#REVEALED} (the clear value, for a reader with secret access) or {@link Secrecy#MASKED} (the mask).
 */
public record ConfigValue(String key, String env, Object value, int version, long revision, boolean deleted,
                          boolean critical, String comment, Instant updatedAt, String updatedBy, Txn txn,
                          Rollout rollout, Secrecy secrecy, String sealed) {

  /** What stands for a secret's value wherever its clear value may not go. */
  public static final String MASK = "******";

  /** A key that is not secret; or a secret one: sealed (at rest, in transit), masked or revealed (at the edge). */
  public enum Secrecy {
    NONE, SEALED, MASKED, REVEALED;

    public boolean secret() {
      return this != NONE;
    }
  }

  public ConfigValue {
    secrecy = secrecy == null ? Secrecy.NONE : secrecy;
  }

  /** A version of a key that is not secret. */
  public ConfigValue(String key, String env, Object value, int version, long revision, boolean deleted,
                     boolean critical, String comment, Instant updatedAt, String updatedBy, Txn txn, Rollout rollout) {
    this(key, env, value, version, revision, deleted, critical, comment, updatedAt, updatedBy, txn, rollout,
        Secrecy.NONE, null);
  }

  /**
   * A change of a rollout: {@code target} brings the rollout's value to the instances its targeting names (the
   * others keep the released version, which {@code version} names); {@code abort} brings those instances back to the
   * released value. Only the instances the targeting names receive it, in every path (live, snapshot, catch-up).
   *
   * @param basisPoints the percentage in hundredths of a percent, null when the rollout has none
   */
  public record Rollout(long id, String action, String selector, Integer basisPoints) {

    public static final String TARGET = "target";
    public static final String ABORT = "abort";

    public Targeting targeting() {
      return new Targeting(selector == null ? null : Selector.parse(selector), basisPoints);
    }

    /** Whether an instance receives this change of {@code key}: the instances its targeting names; never an anonymous one. */
    public boolean reaches(String key, String instanceId, Map<String, String> labels) {
      return targeting().matches(key, instanceId, labels);
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id).put("action", action);
      if (selector != null) {
        json.put("selector", selector);
      }
      if (basisPoints != null) {
        json.put("percentage", Targeting.percentage(basisPoints));
      }
      return json;
    }

    static Rollout fromJson(JsonObject json) {
      if (json == null) {
        return null;
      }
      Object percentage = json.getValue("percentage");
      return new Rollout(required(json, "rollout.id", json.getLong("id")),
          required(json, "rollout.action", json.getString("action")), json.getString("selector"),
          percentage == null ? null : Targeting.basisPoints(percentage, "rollout.percentage"));
    }
  }

  /** A released version (no rollout). */
  public ConfigValue(String key, String env, Object value, int version, long revision, boolean deleted,
                     boolean critical, String comment, Instant updatedAt, String updatedBy, Txn txn) {
    this(key, env, value, version, revision, deleted, critical, comment, updatedAt, updatedBy, txn, null);
  }

  /**
   * The transaction a change belongs to: its changes are exactly the revisions {@code id} to {@code last}.
   *
   * @param id    the revision of the transaction's first change
   * @param last  the revision of its last change
   * @param count in a change stream (bridge frames, SSE events, a {@code /v1/changes} answer), how many of the
   *              transaction's changes this stream carries to its reader (those under its prefixes, after its resume
   *              point): the reader has the whole transaction once it holds that many; null outside a stream (the
   *              history, Kafka, PostgreSQL)
   */
  public record Txn(long id, long last, Integer count) {

    /** A transaction as stored: no stream count. */
    public Txn(long id, long last) {
      this(id, last, null);
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id).put("last", last);
      if (count != null) {
        json.put("count", count);
      }
      return json;
    }

    /** Null when the member is absent or null. */
    static Txn fromJson(JsonObject json) {
      if (json == null) {
        return null;
      }
      return new Txn(required(json, "txn.id", json.getLong("id")), required(json, "txn.last", json.getLong("last")),
          json.getInteger("count"));
    }
  }

  /** A version no transaction wrote. */
  public ConfigValue(String key, String env, Object value, int version, long revision, boolean deleted,
                     boolean critical, String comment, Instant updatedAt, String updatedBy) {
    this(key, env, value, version, revision, deleted, critical, comment, updatedAt, updatedBy, null);
  }

  /** The same version without its transaction: the current entry, as reads answer it. */
  public ConfigValue withoutTxn() {
    return txn == null ? this
        : new ConfigValue(key, env, value, version, revision, deleted, critical, comment, updatedAt, updatedBy, null,
            rollout, secrecy, sealed);
  }

  public boolean secret() {
    return secrecy.secret();
  }

  /** A sealed secret as a reader without secret access sees it: the mask, no ciphertext. */
  public ConfigValue masked() {
    if (secrecy == Secrecy.NONE || secrecy == Secrecy.MASKED) {
      return this;
    }
    return new ConfigValue(key, env, deleted ? null : MASK, version, revision, deleted, critical, comment, updatedAt,
        updatedBy, txn, rollout, Secrecy.MASKED, null);
  }

  /** A sealed secret with its clear value, for a reader with secret access. */
  public ConfigValue revealed(Object clear) {
    return new ConfigValue(key, env, clear, version, revision, deleted, critical, comment, updatedAt, updatedBy, txn,
        rollout, Secrecy.REVEALED, null);
  }

  /**
   * Whether an instance receives this change: a released version reaches everyone, a rollout's change only the
   * instances its targeting names ({@code instanceId} null: an anonymous reader, who gets released values only).
   */
  public boolean reaches(String instanceId, Map<String, String> labels) {
    return rollout == null || rollout.reaches(key, instanceId, labels);
  }

  /** True when the key is {@code prefix} itself or lies below it, in whole segments; "" holds every key. */
  public boolean isUnder(String prefix) {
    return prefix.isEmpty() || key.equals(prefix) || key.startsWith(prefix + ".");
  }

  /** The entry: {key, env, value, version, revision, deleted, critical, updatedAt, updatedBy[, comment][, txn]}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("key", key)
        .put("env", env)
        .put("value", value)
        .put("version", version)
        .put("revision", revision)
        .put("deleted", deleted)
        .put("critical", critical)
        .put("updatedAt", updatedAt == null ? null : WireTime.format(updatedAt))
        .put("updatedBy", updatedBy);
    if (comment != null) {
      json.put("comment", comment);
    }
    if (txn != null) {
      json.put("txn", txn.toJson());
    }
    if (rollout != null) {
      json.put("rollout", rollout.toJson());
    }
    return putSecrecy(json);
  }

  /** The change message: {key, env, value, version, revision, updatedAt, updatedBy, deleted, critical[, txn]}. */
  public JsonObject toChangeJson() {
    JsonObject json = new JsonObject()
        .put("key", key)
        .put("env", env)
        .put("value", value)
        .put("version", version)
        .put("revision", revision)
        .put("updatedAt", updatedAt == null ? null : WireTime.format(updatedAt))
        .put("updatedBy", updatedBy)
        .put("deleted", deleted)
        .put("critical", critical);
    if (txn != null) {
      json.put("txn", txn.toJson());
    }
    if (rollout != null) {
      json.put("rollout", rollout.toJson());
    }
    return putSecrecy(json);
  }

  /**
   * Reads either shape. Fails with a DecodeException saying what is wrong when key, env, version or revision is
   * missing or of the wrong type, or a time is not ISO-8601; the other members are optional.
   */
  /** A secret's members: {@code secret: true}, and {@code sealed} (the ciphertext) or {@code masked: true}. */
  private JsonObject putSecrecy(JsonObject json) {
    switch (secrecy) {
      case NONE -> { }
      case SEALED -> json.put("secret", true).put("sealed", sealed);
      case MASKED -> json.put("secret", true).put("masked", true);
      case REVEALED -> json.put("secret", true);
    }
    return json;
  }

  public static ConfigValue fromJson(JsonObject json) {
    try {
      String time = json.getString("updatedAt");
      return new ConfigValue(required(json, "key", json.getString("key")), required(json, "env", json.getString("env")),
          json.getValue("value"), required(json, "version", json.getInteger("version")),
          required(json, "revision", json.getLong("revision")), json.getBoolean("deleted", false),
          json.getBoolean("critical", false), json.getString("comment"), time == null ? null : WireTime.parse(time),
          json.getString("updatedBy"), Txn.fromJson(json.getJsonObject("txn")),
          Rollout.fromJson(json.getJsonObject("rollout")), secrecy(json), json.getString("sealed"));
    } catch (ClassCastException | DateTimeParseException | ConfigdException e) {
      throw new DecodeException("not a configuration value: " + e.getMessage());
    }
  }

  private static Secrecy secrecy(JsonObject json) {
    if (!json.getBoolean("secret", false)) {
      return Secrecy.NONE;
    }
    if (json.getString("sealed") != null) {
      return Secrecy.SEALED;
    }
    return json.getBoolean("masked", false) ? Secrecy.MASKED : Secrecy.REVEALED;
  }

  private static <T> T required(JsonObject json, String member, T value) {
    if (value == null) {
      throw new DecodeException("not a configuration value: '" + member + "' is missing in " + abbreviated(json));
    }
    return value;
  }

  private static String abbreviated(JsonObject json) {
    String text = json.encode();
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
