package io.configd.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Access control settings: the {@code auth} section of the configuration.
 *
 * @param adminToken           the bootstrap admin token to create on an empty database; null makes a random one
 * @param tokenCacheMillis     how long a node trusts a verified configd token before asking PostgreSQL again:
 *                             a revocation takes effect on every node within this time (at once on the node that
 *                             revoked it, and on clustered nodes when the revocation message reaches them)
 * @param tokenStaleMillis     how long a token verified earlier is still accepted while PostgreSQL is unreachable
 *                             (a revocation made during the outage cannot be seen until it ends)
 * @param bridgeRecheckMillis  how often each bridge socket's credential is checked again (expiry, revocation)
 */
public record AuthSettings(String adminToken, long tokenCacheMillis, long tokenStaleMillis, long bridgeRecheckMillis,
                           Jwt jwt, Limits limits) {

  /**
   * JWTs from an identity provider: PEM public keys, a JWKS file, a JWKS URL or OpenID Connect discovery from the
   * issuer; issuer and audience checked when set (blank is unset); {@code exp} required, at most
   * {@code maxLifetimeSeconds} after {@code iat} (or now).
   *
   * @param jwksUrl              where the provider publishes its keys; null: none, or discovery's jwks_uri
   * @param discovery            find the JWKS URL in {@code <issuer>/.well-known/openid-configuration}
   * @param jwksRefreshMillis    how often the JWKS is fetched again (a removed key stops working then)
   * @param jwksMinRefreshMillis the least time between two fetches, also for a token with an unknown key id
   */
  public record Jwt(List<JsonObject> publicKeys, String jwksFile, String issuer, List<String> audience, String jwksUrl,
                    boolean discovery, long jwksRefreshMillis, long jwksMinRefreshMillis,
                    long maxLifetimeSeconds) {

    public Jwt {
      if (discovery && issuer == null) {
        throw new IllegalArgumentException("auth.jwt.discovery needs auth.jwt.issuer (CONFIGD_AUTH_JWT_ISSUER): "
            + "the discovery document is <issuer>/.well-known/openid-configuration");
      }
    }

    public boolean enabled() {
      return !publicKeys.isEmpty() || jwksFile != null || remoteKeys();
    }

    /** Whether keys are fetched from the identity provider. */
    public boolean remoteKeys() {
      return jwksUrl != null || discovery;
    }
  }

  /**
   * Token buckets, per node: a bucket holds up to {@code burst} requests and refills at the rate given.
   * Failed authentications are counted per client address and per token prefix; refused bridge frames per socket.
   */
  public record Limits(double writesPerSecond, int writeBurst, double addressWritesPerSecond, int addressWriteBurst,
                       double failedAuthPerMinute, int failedAuthBurst, double bridgeRefusalsPerMinute,
                       int bridgeRefusalBurst) {
  }

  public static AuthSettings from(JsonObject config) {
    JsonObject auth = config.getJsonObject("auth", new JsonObject());
    JsonObject jwt = auth.getJsonObject("jwt", new JsonObject());
    JsonObject limits = auth.getJsonObject("limits", new JsonObject());
    String adminToken = auth.getString("adminToken");
    return new AuthSettings(adminToken == null || adminToken.isBlank() ? null : adminToken.trim(),
        auth.getLong("tokenCacheMillis", 10_000L),
        auth.getLong("tokenStaleMillis", 3_600_000L),
        auth.getLong("bridgeRecheckMillis", 5_000L),
        // CONFIGD_AUTH_JWT_* lands in auth.jwt; in a file without that section, flat (auth.jwtIssuer): both count,
        // and a blank value (as the shipped file has) is unset, never a value that beats the other spelling
        new Jwt(publicKeys(jwt.getValue("publicKeys", auth.getValue("jwtPublicKeys"))),
            firstSet(auth.getString("jwtJwksFile"), jwt.getString("jwksFile")),
            firstSet(auth.getString("jwtIssuer"), jwt.getString("issuer")),
            audience(auth.getValue("jwtAudience"), jwt.getValue("audience")),
            blankToNull(flatFirst(auth, jwt, "jwksUrl")), Boolean.parseBoolean(flatFirst(auth, jwt, "discovery")),
            (long) positive(auth, jwt, "jwksRefreshMillis", 300_000), (long) positive(auth, jwt, "jwksMinRefreshMillis", 10_000),
            (long) positive("auth.jwt.maxLifetimeSeconds", auth.getValue("jwtMaxLifetimeSeconds",
                jwt.getValue("maxLifetimeSeconds")), 86_400)),
        new Limits(
            number(limits, auth, "writesPerSecond", 100), (int) number(limits, auth, "writeBurst", 1000),
            number(limits, auth, "addressWritesPerSecond", 200), (int) number(limits, auth, "addressWriteBurst", 2000),
            number(limits, auth, "failedAuthPerMinute", 30), (int) number(limits, auth, "failedAuthBurst", 20),
            number(limits, auth, "bridgeRefusalsPerMinute", 60), (int) number(limits, auth, "bridgeRefusalBurst", 20)));
  }

  /**
   * auth.&lt;name&gt; as CONFIGD_AUTH_&lt;NAME&gt; sets it (a string then), else auth.limits.&lt;name&gt;, else the default.
   */
  private static double number(JsonObject limits, JsonObject auth, String name, double otherwise) {
    Object value = auth.getValue(name, limits.getValue(name)); // the flat one is what an environment variable sets: it wins
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value instanceof String text && !text.isBlank()) {
      try {
        return Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("auth." + name + " must be a number, not '" + text + "'");
      }
    }
    return otherwise;
  }

  private static List<JsonObject> publicKeys(Object value) {
    if (value instanceof String text && !text.isBlank()) {
      value = new JsonArray(text.trim());
    }
    if (!(value instanceof JsonArray keys)) {
      return List.of();
    }
    return keys.stream().map(key -> {
      if (!(key instanceof JsonObject json) || json.getString("algorithm") == null || json.getString("pem") == null) {
        throw new IllegalArgumentException("auth.jwt.publicKeys: each key needs an 'algorithm' (e.g. RS256) and a 'pem'");
      }
      return json;
    }).toList();
  }

  private static List<String> audience(Object... values) {
    for (Object value : values) {
      List<String> audience = value instanceof JsonArray list ? list.stream().map(Object::toString).toList()
          : value instanceof String text ? List.of(text.split(",")) : List.of();
      audience = audience.stream().map(String::trim).filter(item -> !item.isEmpty()).toList();
      if (!audience.isEmpty()) {
        return audience;
      }
    }
    return List.of();
  }

  private static String firstSet(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return null;
  }

  private static double positive(String name, Object value, double otherwise) {
    double number = value instanceof Number n ? n.doubleValue()
        : value instanceof String text && !text.isBlank() ? parse(name, text) : otherwise;
    if (!(number > 0)) {
      throw new IllegalArgumentException(name + " must be a positive number, not " + value);
    }
    return number;
  }

  private static double parse(String name, String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, not '" + text + "'");
    }
  }

  /** auth.jwt&lt;Name&gt; (what CONFIGD_AUTH_JWT_&lt;NAME&gt; sets) when it is set, else auth.jwt.&lt;name&gt;, as text. */
  private static String flatFirst(JsonObject auth, JsonObject jwt, String name) {
    Object flat = auth.getValue("jwt" + Character.toUpperCase(name.charAt(0)) + name.substring(1));
    Object value = flat != null && !flat.toString().isBlank() ? flat : jwt.getValue(name);
    return value == null ? null : value.toString().trim();
  }

  private static double positive(JsonObject auth, JsonObject jwt, String name, double otherwise) {
    String text = flatFirst(auth, jwt, name);
    if (text == null || text.isBlank()) {
      return otherwise;
    }
    try {
      double value = Double.parseDouble(text);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("auth.jwt." + name + " must be a positive number of milliseconds, not '" + text + "'");
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }
}
