package io.configd.auth;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Grant;
import io.configd.model.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Verifies JWTs from an operator's identity provider with vertx-auth-jwt: signature by a configured key
 * (never "alg: none", never a key the token brings), an {@code exp} no further ahead than the maximum lifetime,
 * and issuer and audience when configured.
 * The principal is the {@code sub} claim; its grants come from {@code configd_grants}: [{env, prefix, access}].
 */
public final class JwtVerifier {

  public static final String GRANTS_CLAIM = "configd_grants";
  private static final int MAX_SUBJECT = 128;

  private final JWTAuth jwt;
  private final long maxLifetimeSeconds;

  private JwtVerifier(JWTAuth jwt, long maxLifetimeSeconds) {
    this.jwt = jwt;
    this.maxLifetimeSeconds = maxLifetimeSeconds;
  }

  /** Null when no key is configured: JWTs are then refused. Reads the JWKS file, if any, without blocking. */
  public static Future<JwtVerifier> create(Vertx vertx, AuthSettings.Jwt settings) {
    if (!settings.enabled()) {
      return Future.succeededFuture(null);
    }
    JWTOptions checks = new JWTOptions();
    if (settings.issuer() != null) {
      checks.setIssuer(settings.issuer());
    }
    if (!settings.audience().isEmpty()) {
      checks.setAudience(settings.audience());
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    for (JsonObject key : settings.publicKeys()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(key.getString("algorithm")).setBuffer(key.getString("pem"))
          .setId(key.getString("id")));
    }
    Future<Void> jwks = settings.jwksFile() == null ? Future.succeededFuture()
        : vertx.fileSystem().readFile(settings.jwksFile()).map(buffer -> {
          new JsonObject(buffer).getJsonArray("keys", new JsonArray()).forEach(key -> options.addJwk((JsonObject) key));
          return null;
        });
    return jwks.map(v -> new JwtVerifier(JWTAuth.create(vertx, options), settings.maxLifetimeSeconds()));
  }

  public Future<Principal> verify(String token) {
    return jwt.authenticate(new TokenCredentials(token))
        .recover(failure -> Future.failedFuture(new ConfigdException(Failure.UNAUTHORIZED,
            "the JWT was refused (" + reason(failure, token) + ")")))
        .map(user -> principal(payload(token)));
  }

  private Principal principal(JsonObject claims) {
    if (!(claims.getValue("sub") instanceof String subject) || subject.isBlank() || subject.length() > MAX_SUBJECT) {
      throw new ConfigdException(Failure.UNAUTHORIZED, "the JWT needs a 'sub' claim of 1 to " + MAX_SUBJECT + " characters");
    }
    Object claim = claims.getValue(GRANTS_CLAIM);
    List<Grant> grants;
    if (claim == null) {
      grants = List.of();
    } else if (claim instanceof JsonArray list) {
      grants = list.stream().map(grant -> Grant.fromJson(grant, Failure.UNAUTHORIZED)).toList();
    } else {
      throw new ConfigdException(Failure.UNAUTHORIZED, "the JWT's '" + GRANTS_CLAIM + "' claim must be a list of grants");
    }
    return new Principal(subject, null, grants, expiry(claims));
  }

  /** A JWT cannot be revoked: without an expiry, or with one far ahead, a leaked one would work for too long. */
  private Instant expiry(JsonObject claims) {
    if (!(claims.getValue("exp") instanceof Number exp)) {
      throw new ConfigdException(Failure.UNAUTHORIZED, "the JWT needs an 'exp' claim (its expiry, in epoch seconds)");
    }
    long now = Instant.now().getEpochSecond();
    long issued = claims.getValue("iat") instanceof Number iat ? Math.min(iat.longValue(), now) : now;
    if (exp.longValue() - issued > maxLifetimeSeconds) {
      throw new ConfigdException(Failure.UNAUTHORIZED, "the JWT's lifetime (exp - iat) is over the "
          + maxLifetimeSeconds + " s this node accepts (auth.jwt.maxLifetimeSeconds)");
    }
    return Instant.ofEpochSecond(exp.longValue());
  }

  /** The claims of a token vertx-auth-jwt has just verified. */
  private static JsonObject payload(String token) {
    String[] parts = token.split("\\.");
    return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }

  /** Why, for the operator, unless the library's message quotes any part of the token. */
  private static String reason(Throwable failure, String token) {
    String message = String.valueOf(failure.getMessage());
    for (String part : token.split("\\.")) {
      if (part.length() >= 8 && message.contains(part)) {
        return "bad signature, algorithm, expiry, issuer or audience";
      }
    }
    return message.length() > 200 ? message.substring(0, 200) : message;
  }
}
