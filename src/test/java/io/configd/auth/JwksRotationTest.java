package io.configd.auth;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * JWTs verified with the keys of an identity provider found by OpenID Connect discovery: a real HTTP server in the
 * test serves the discovery document and a JWKS whose keys the test rotates.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("JWKS from a URL, with rotation and OpenID Connect discovery")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwksRotationTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long PERIOD_MILLIS = 3_000;
  private static final long MIN_MILLIS = 300;
  private static final AtomicReference<JsonArray> PUBLISHED = new AtomicReference<>(new JsonArray());
  private static final AtomicInteger FETCHES = new AtomicInteger();
  private static String issuer;
  private static HttpServer idpServer;
  private static JWTAuth first;
  private static JWTAuth second;
  private static JWTAuth impostor;
  private static KeyPair firstKeys;
  private static KeyPair secondKeys;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    firstKeys = JwtAuthenticationTest.rsaKeys();
    secondKeys = JwtAuthenticationTest.rsaKeys();
    first = JwtAuthenticationTest.signer(vertx, firstKeys);
    second = JwtAuthenticationTest.signer(vertx, secondKeys);
    impostor = JwtAuthenticationTest.signer(vertx, JwtAuthenticationTest.rsaKeys());
    PUBLISHED.set(new JsonArray().add(jwk("key-1", firstKeys)));
    idpServer = vertx.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/.well-known/openid-configuration" -> request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("issuer", issuer).put("jwks_uri", issuer + "/keys").encode());
        case "/keys" -> {
          FETCHES.incrementAndGet();
          request.response().putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("keys", PUBLISHED.get()).encode());
        }
        default -> request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").await();
    issuer = "http://127.0.0.1:" + idpServer.actualPort();
    JsonObject config = TestServices.nodeConfig("JwksRotationTest");
    config.getJsonObject("auth")
        .put("jwt", new JsonObject().put("issuer", issuer).put("audience", new JsonArray().add("configd"))
            .put("discovery", true).put("jwksRefreshMillis", PERIOD_MILLIS).put("jwksMinRefreshMillis", MIN_MILLIS))
        .put("limits", new JsonObject().put("failedAuthBurst", 1000));
    node = TestNode.start(vertx, config).await();
    node.put("jwks.app.url", "production", "pg://app");
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop().await();
    }
    if (idpServer != null) {
      idpServer.close().await();
    }
  }

  @Test
  @Order(1)
  @DisplayName("a token signed by a key of the discovered JWKS is accepted, and the keys are cached between refreshes")
  void discovered() {
    String token = token(first, "key-1");
    int before = FETCHES.get();
    for (int i = 0; i < 10; i++) {
      assertThat(node.as(token).get("/v1/config/jwks.app.url?env=production").statusCode()).isEqualTo(200);
    }
    assertThat(FETCHES.get() - before).as("ten requests with a known key id fetch nothing (a periodic refresh may fall "
        + "in between)").isLessThanOrEqualTo(1);
  }

  @Test
  @Order(2)
  @DisplayName("a token signed by a key the provider just published is accepted at once: an unknown kid refreshes the JWKS")
  void rotatedIn() {
    PUBLISHED.set(new JsonArray().add(jwk("key-1", firstKeys)).add(jwk("key-2", secondKeys)));
    String token = token(second, "key-2");
    Eventually.await("the token of the new key accepted", WAIT,
        () -> node.as(token).get("/v1/config/jwks.app.url?env=production").statusCode() == 200);
  }

  @Test
  @Order(3)
  @DisplayName("tokens naming made-up key ids are refused and fetch the JWKS at most once per minimum interval")
  void boundedRefresh() {
    int before = FETCHES.get();
    long started = System.nanoTime();
    for (int i = 0; i < 30; i++) {
      String forged = token(impostor, "made-up-" + UUID.randomUUID());
      assertProblem(node.as(forged).get("/v1/config/jwks.app.url?env=production"), 401, "unauthorized");
    }
    long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
    long allowed = elapsedMillis / MIN_MILLIS + 2;
    assertThat(FETCHES.get() - before).as("fetches for 30 unknown key ids in " + elapsedMillis + " ms")
        .isLessThanOrEqualTo((int) allowed);
  }

  @Test
  @Order(4)
  @DisplayName("a key the provider withdraws stops verifying tokens after the periodic refresh")
  void rotatedOut() {
    String old = token(first, "key-1");
    assertThat(node.as(old).get("/v1/config/jwks.app.url?env=production").statusCode()).isEqualTo(200);
    PUBLISHED.set(new JsonArray().add(jwk("key-2", secondKeys)));
    Eventually.await("the withdrawn key refused", Duration.ofMillis(PERIOD_MILLIS * 5),
        () -> node.as(old).get("/v1/config/jwks.app.url?env=production").statusCode() == 401);
    assertThat(node.as(token(second, "key-2")).get("/v1/config/jwks.app.url?env=production").statusCode())
        .isEqualTo(200);
  }

  private static String token(JWTAuth signer, String kid) {
    return signer.generateToken(JwtAuthenticationTest.claims("svc@" + kid, "production", "jwks.app", "read"),
        new JWTOptions().setAlgorithm("RS256").setIssuer(issuer).setAudience(List.of("configd"))
            .setExpiresInSeconds(300).setHeader(new JsonObject().put("kid", kid)));
  }

  /** The public half of an RSA key pair as a JWK (RFC 7517), without "alg": providers often leave it out. */
  private static JsonObject jwk(String kid, KeyPair keys) {
    RSAPublicKey key = (RSAPublicKey) keys.getPublic();
    return new JsonObject().put("kty", "RSA").put("use", "sig").put("kid", kid)
        .put("n", unsigned(key.getModulus())).put("e", unsigned(key.getPublicExponent()));
  }

  private static String unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
