package io.configd.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's signing keys from a JWKS URL, or from the {@code jwks_uri} of its OpenID Connect discovery
 * document ({@code <issuer>/.well-known/openid-configuration}, whose {@code issuer} must be the configured one).
 * Fetched at start, every {@code jwksRefreshMillis}, and when a token names a key id not in hand, but never more often
 * than every {@code jwksMinRefreshMillis}, one fetch at a time: a flood of made-up key ids costs one fetch per interval.
 * At most {@link #MAX_KEYS} keys and {@link #MAX_BYTES} per document; a failed fetch keeps the keys in hand.
 */
final class JwksSource {

  static final int MAX_KEYS = 100;
  static final int MAX_BYTES = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(JwksSource.class);

  private final WebClient http;
  private final AuthSettings.Jwt settings;
  private String jwksUri;
  private long lastFetch = Long.MIN_VALUE;
  private Future<List<JsonObject>> inFlight;

  JwksSource(Vertx vertx, AuthSettings.Jwt settings) {
    this.http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000).setFollowRedirects(false));
    this.settings = settings;
    this.jwksUri = settings.jwksUrl();
  }

  /** Whether a fetch now would respect the minimum interval (the refresh for an unknown key id asks first). */
  synchronized boolean mayFetch() {
    return inFlight != null || System.nanoTime() - lastFetch >= settings.jwksMinRefreshMillis() * 1_000_000L;
  }

  /** The keys at the URL now; joins a fetch already under way. */
  synchronized Future<List<JsonObject>> fetch() {
    if (inFlight != null) {
      return inFlight;
    }
    lastFetch = System.nanoTime();
    Future<List<JsonObject>> fetched = uri().compose(this::keys);
    inFlight = fetched;
    fetched.onComplete(done -> {
      synchronized (this) {
        inFlight = null;
      }
    });
    return fetched;
  }

  void close() {
    http.close();
  }

  private Future<String> uri() {
    if (jwksUri != null) {
      return Future.succeededFuture(jwksUri);
    }
    String discovery = settings.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration";
    return get(discovery).map(document -> {
      if (!settings.issuer().equals(document.getString("issuer"))) {
        throw new IllegalStateException(discovery + " names the issuer '" + document.getString("issuer")
            + "', not the configured '" + settings.issuer() + "'");
      }
      if (!(document.getValue("jwks_uri") instanceof String uri) || uri.isBlank()) {
        throw new IllegalStateException(discovery + " has no jwks_uri");
      }
      synchronized (this) {
        jwksUri = uri;
      }
      LOG.info("OpenID Connect discovery of {}: keys at {}", settings.issuer(), uri);
      return uri;
    });
  }

  private Future<List<JsonObject>> keys(String uri) {
    return get(uri).map(document -> {
      JsonArray keys = document.getJsonArray("keys", new JsonArray());
      List<JsonObject> usable = new ArrayList<>();
      for (Object key : keys) {
        if (usable.size() == MAX_KEYS) {
          LOG.warn("The JWKS at {} holds {} keys; the first {} are used", uri, keys.size(), MAX_KEYS);
          break;
        }
        if (key instanceof JsonObject jwk && signing(jwk)) {
          usable.add(withAlgorithm(jwk));
        }
      }
      return usable;
    });
  }

  private Future<JsonObject> get(String uri) {
    return http.getAbs(uri).timeout(10_000).send().map(response -> body(uri, response));
  }

  private static JsonObject body(String uri, HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException(uri + " answered " + response.statusCode());
    }
    Buffer body = response.body();
    if (body == null || body.length() > MAX_BYTES) {
      throw new IllegalStateException(uri + " answered no body or one over " + MAX_BYTES + " bytes");
    }
    return new JsonObject(body);
  }

  /** A public key for signatures: no private or symmetric key material, not one for encryption. */
  private static boolean signing(JsonObject jwk) {
    String use = jwk.getString("use");
    String kty = jwk.getString("kty");
    return (use == null || use.equals("sig")) && ("RSA".equals(kty) || "EC".equals(kty)) && !jwk.containsKey("d");
  }

  /** JWKS keys need not name their algorithm; vertx-auth does: RSA keys are RS256 and EC keys follow their curve. */
  private static JsonObject withAlgorithm(JsonObject jwk) {
    if (jwk.getString("alg") != null) {
      return jwk;
    }
    String alg = "RSA".equals(jwk.getString("kty")) ? "RS256" : switch (String.valueOf(jwk.getString("crv"))) {
      case "P-384" -> "ES384";
      case "P-521" -> "ES512";
      default -> "ES256";
    };
    return jwk.copy().put("alg", alg);
  }
}
