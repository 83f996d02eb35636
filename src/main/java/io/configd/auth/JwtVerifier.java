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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWTs from an operator's identity provider with vertx-auth-jwt: signature by a configured key
 * (never "alg: none", never a key the token brings), an {@code exp} no further ahead than auth.jwt.maxLifetimeSeconds,
 * and issuer and audience when configured.
 * Keys come from PEM public keys, a JWKS file, and a JWKS URL or OpenID Connect discovery ({@link JwksSource}),
 * refreshed periodically and when a token names a key id not in hand.
 * The principal is the {@code sub} claim; its grants come from {@code configd_grants}: [{env, prefix, access}].
 */
public final class JwtVerifier {

  public static final String GRANTS_CLAIM = "configd_grants";
  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
  private static final int MAX_SUBJECT = 128;

  /** The verifier of one set of keys, and their key ids. */
  private record Keys(JWTAuth auth, Set<String> ids, List<JsonObject> remote) {
  }

  private final Vertx vertx;
  private final AuthSettings.Jwt settings;
  private final List<JsonObject> fileKeys;
  private final JwksSource jwks;
  private volatile Keys keys;
  private long timer = -1;

  private JwtVerifier(Vertx vertx, AuthSettings.Jwt settings, List<JsonObject> fileKeys) {
    this.vertx = vertx;
    this.settings = settings;
    this.fileKeys = fileKeys;
    this.jwks = settings.remoteKeys() ? new JwksSource(vertx, settings) : null;
    this.keys = build(List.of());
  }

  /**
   * Null when no key is configured: JWTs are then refused. Reads the JWKS file, if any, without blocking; fetches the
   * JWKS URL, if any: a node starts even when the identity provider does not answer (its JWTs are refused until it
   * does; each token with an unknown key id, and each periodic refresh, tries again).
   */
  public static Future<JwtVerifier> create(Vertx vertx, AuthSettings.Jwt settings) {
    if (!settings.enabled()) {
      return Future.succeededFuture(null);
    }
    Future<List<JsonObject>> file = settings.jwksFile() == null ? Future.succeededFuture(List.of())
        : vertx.fileSystem().readFile(settings.jwksFile()).map(buffer -> new JsonObject(buffer)
            .getJsonArray("keys", new JsonArray()).stream().map(key -> (JsonObject) key).toList());
    return file.compose(fileKeys -> {
      JwtVerifier verifier = new JwtVerifier(vertx, settings, fileKeys);
      if (verifier.jwks == null) {
        return Future.succeededFuture(verifier);
      }
      verifier.timer = vertx.setPeriodic(settings.jwksRefreshMillis(), id -> verifier.refresh());
      return verifier.refresh().map(verifier);
    });
  }

  public Future<Principal> verify(String token) {
    Keys current = keys;
    TokenCredentials credentials = new TokenCredentials(token);
    return current.auth().authenticate(credentials)
        .recover(failure -> {
          String kid = keyId(token);
          if (jwks == null || kid == null || current.ids().contains(kid) || !jwks.mayFetch()) {
            return Future.failedFuture(failure);
          }
          // A key id not in hand: the provider may have rotated; fetch once (bounded) and try again
          return refresh().compose(v -> keys == current ? Future.failedFuture(failure)
              : keys.auth().authenticate(credentials));
        })
        .recover(failure -> Future.failedFuture(new ConfigdException(Failure.UNAUTHORIZED,
            "the JWT was refused (" + reason(failure, token) + ")")))
        .map(user -> principal(payload(token)));
  }

  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (jwks != null) {
      jwks.close();
    }
  }

  /** Fetches the JWKS and puts its keys in use; a failure keeps the keys in hand (and is logged). */
  private Future<Void> refresh() {
    return jwks.fetch()
        .map(remote -> {
          install(remote);
          return (Void) null;
        })
        .recover(failure -> {
          LOG.warn("Could not fetch the JWKS of {}: {}; keeping the {} key(s) in hand", settings.jwksUrl() != null
              ? settings.jwksUrl() : settings.issuer(), failure.getMessage(), keys.ids().size());
          return Future.succeededFuture();
        });
  }

  private synchronized void install(List<JsonObject> remote) {
    if (keys.remote() != remote) { // several waiters of one fetch install it once
      keys = build(remote);
    }
  }

  private Keys build(List<JsonObject> remote) {
    JWTOptions checks = new JWTOptions();
    if (settings.issuer() != null) {
      checks.setIssuer(settings.issuer());
    }
    if (!settings.audience().isEmpty()) {
      checks.setAudience(settings.audience());
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    Set<String> ids = new HashSet<>();
    for (JsonObject key : settings.publicKeys()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(key.getString("algorithm")).setBuffer(key.getString("pem"))
          .setId(key.getString("id")));
      if (key.getString("id") != null) {
        ids.add(key.getString("id"));
      }
    }
    for (List<JsonObject> set : List.of(fileKeys, remote)) {
      for (JsonObject jwk : set) {
        options.addJwk(jwk);
        if (jwk.getString("kid") != null) {
          ids.add(jwk.getString("kid"));
        }
      }
    }
    return new Keys(JWTAuth.create(vertx, options), Set.copyOf(ids), remote);
  }

  /** The kid of the token's header, or null (no kid, or not a JWT at all). */
  private static String keyId(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot > 4096) {
      return null;
    }
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)),
          StandardCharsets.UTF_8));
      return header.getValue("kid") instanceof String kid && !kid.isEmpty() && kid.length() <= 256 ? kid : null;
    } catch (RuntimeException e) {
      return null;
    }
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
    if (exp.longValue() - issued > settings.maxLifetimeSeconds()) {
      throw new ConfigdException(Failure.UNAUTHORIZED, "the JWT's lifetime (exp - iat) is over the "
          + settings.maxLifetimeSeconds() + " s this node accepts (auth.jwt.maxLifetimeSeconds)");
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
