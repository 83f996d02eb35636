package io.configd.model;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One permission: {@code access} on the keys of {@code env} ("*" for every environment) equal to
 * {@code prefix} or below it, in whole segments ("" for every key). Shared by the API and the bridge.
 */
public record Grant(String env, String prefix, Access access) {

  public static final String ANY_ENV = "*";
  private static final Pattern ENV = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Set<String> FIELDS = Set.of("env", "prefix", "access");

  /** Admin on every key of every environment: what the bootstrap token holds. */
  public static final Grant ROOT = new Grant(ANY_ENV, "", Access.ADMIN);

  /** True when this grant allows {@code needed} on {@code key} in {@code env}. */
  public boolean covers(Access needed, String env, ConfigKey key) {
    return access.includes(needed) && coversEnv(env) && key.isUnder(prefix);
  }

  /** True when this grant allows {@code needed} on every key under {@code under} (a key prefix, "" for all). */
  public boolean coversAll(Access needed, String env, String under) {
    return access.includes(needed) && coversEnv(env) && isUnder(under, prefix);
  }

  public boolean coversEnv(String name) {
    return env.equals(ANY_ENV) || env.equals(name);
  }

  public JsonObject toJson() {
    return new JsonObject().put("env", env).put("prefix", prefix).put("access", access.label());
  }

  /**
   * A grant as an API caller or an identity provider writes it, checked strictly: exactly env, prefix and
   * access; env "*" or an environment name; prefix "" or a key. Fails with {@code failure} saying what is wrong.
   */
  public static Grant fromJson(Object json, Failure failure) {
    if (!(json instanceof JsonObject grant)) {
      throw new ConfigdException(failure, "a grant is an object {\"env\": ..., \"prefix\": ..., \"access\": ...}");
    }
    for (String field : grant.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new ConfigdException(failure, "unknown member '" + field + "' in a grant; allowed: access, env, prefix");
      }
    }
    if (!(grant.getValue("env") instanceof String env) || !(env.equals(ANY_ENV) || ENV.matcher(env).matches())) {
      throw new ConfigdException(failure, "a grant's 'env' must be \"*\" or an environment name");
    }
    Object prefixValue = grant.getValue("prefix", "");
    if (!(prefixValue instanceof String prefix)) {
      throw new ConfigdException(failure, "a grant's 'prefix' must be a string: a key prefix, or \"\" for every key");
    }
    if (!prefix.isEmpty()) {
      try {
        ConfigKey.parse(prefix);
      } catch (ConfigdException e) {
        throw new ConfigdException(failure, "a grant's 'prefix': " + e.getMessage());
      }
    }
    Access access = grant.getValue("access") instanceof String text ? Access.parse(text) : null;
    if (access == null) {
      throw new ConfigdException(failure, "a grant's 'access' must be \"read\", \"write\", \"approve\", \"admin\" or \"secret\"");
    }
    return new Grant(env, prefix, access);
  }

  /** Whole segments: "services.payment" is under "services" but "services.payment" is not under "services.pay". */
  static boolean isUnder(String path, String prefix) {
    return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + ".");
  }
}
