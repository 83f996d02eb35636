package io.configd.model;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an instance says it applied in one environment ({@link Addresses#ACK}): every change up to {@code revision},
 * and for the keys named in {@code keys} the version it now runs. A session's acks merge: each names the keys whose
 * version changed since its last one (the first after a hello names them all). {@code failures} is the instance's
 * count of errors against that revision ({@code reportFailure}): the health signal of a staged rollout.
 */
public record InstanceAck(String env, long revision, Map<String, Long> keys, long failures) {

  public static final int MAX_KEYS = 10_000;

  public InstanceAck {
    keys = Collections.unmodifiableMap(new TreeMap<>(keys));
  }

  /** The body of an ack: {@code {env, revision, keys?, failures?}}, nothing else. */
  public static InstanceAck fromJson(Object body, Environments environments) {
    if (!(body instanceof JsonObject json)) {
      throw invalid("the ack body must be a JSON object {\"env\": \"production\", \"revision\": 42, "
          + "\"keys\": {\"services.payment.timeout\": 3}, \"failures\": 0}");
    }
    for (String member : json.fieldNames()) {
      if (!member.equals("env") && !member.equals("revision") && !member.equals("keys") && !member.equals("failures")) {
        throw invalid("unknown member '" + member + "' in the ack; allowed: env, revision, keys, failures");
      }
    }
    String env = environments.parse(json.getValue("env") instanceof String s ? s : null);
    long revision = count(json.getValue("revision"), "revision", true);
    long failures = count(json.getValue("failures"), "failures", false);
    Map<String, Long> keys = new TreeMap<>();
    Object members = json.getValue("keys");
    if (members != null && !(members instanceof JsonObject)) {
      throw invalid("'keys' must be an object of key to version, e.g. {\"services.payment.timeout\": 3}");
    }
    if (members instanceof JsonObject object) {
      if (object.size() > MAX_KEYS) {
        throw invalid(object.size() + " keys in one ack; at most " + MAX_KEYS + " are allowed");
      }
      for (Map.Entry<String, Object> entry : object) {
        String key = ConfigKey.parse(entry.getKey()).value();
        if (!(entry.getValue() instanceof Number version) || !whole(version) || version.longValue() < 1) {
          throw invalid("the version of '" + key + "' must be a whole number from 1, the version applied");
        }
        keys.put(key, version.longValue());
      }
    }
    return new InstanceAck(env, revision, keys, failures);
  }

  public JsonObject toJson() {
    return new JsonObject().put("env", env).put("revision", revision).put("keys", new JsonObject(Map.copyOf(keys)))
        .put("failures", failures);
  }

  private static long count(Object value, String member, boolean required) {
    if (value == null && !required) {
      return 0;
    }
    if (!(value instanceof Number number) || !whole(number) || number.longValue() < 0) {
      throw invalid("'" + member + "' must be a whole number from 0" + (required ? " (required)" : ""));
    }
    return number.longValue();
  }

  private static boolean whole(Number number) {
    return number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte;
  }

  private static ConfigdException invalid(String detail) {
    return new ConfigdException(Failure.INVALID_INSTANCE, detail);
  }
}
