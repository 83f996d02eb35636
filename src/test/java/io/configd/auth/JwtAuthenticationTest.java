package io.configd.auth;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.NodeConfig;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** JWTs from an operator's identity provider: verified with the configured key, issuer and audience; forgeries refused. */
@ExtendWith(VertxExtension.class)
@DisplayName("JWT authentication")
class JwtAuthenticationTest {

  private static final String ISSUER = "https://idp.example.test";
  private static final String AUDIENCE = "configd";
  private static KeyPair idpKeys;
  private static String publicPem;
  private static JWTAuth idp;
  private static JWTAuth impostor;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    idpKeys = rsaKeys();
    publicPem = pem("PUBLIC KEY", idpKeys.getPublic().getEncoded());
    idp = signer(vertx, idpKeys);
    impostor = signer(vertx, rsaKeys());
    JsonObject config = TestServices.nodeConfig("JwtAuthenticationTest");
    config.getJsonObject("auth")
        .put("jwt", new JsonObject().put("issuer", ISSUER).put("audience", new JsonArray().add(AUDIENCE))
            .put("publicKeys", new JsonArray().add(new JsonObject().put("algorithm", "RS256").put("pem", publicPem))))
        .put("limits", new JsonObject().put("failedAuthBurst", 1000)); // forgeries on purpose; RateLimitTest covers limits
    node = TestNode.start(vertx, config).await();
    node.put("services.payment.url", "production", "pg://pay");
    node.put("services.billing.url", "production", "pg://bill");
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("a valid JWT is the principal in its sub claim with the grants of its configd_grants claim")
  void validJwt() {
    TestNode alice = node.as(sign(idp, claims("alice@example.test", "production", "services.payment", "write"), ISSUER,
        AUDIENCE, 300));
    assertThat(alice.get("/v1/config/services.payment.url?env=production").statusCode()).isEqualTo(200);
    assertProblem(alice.get("/v1/config/services.billing.url?env=production"), 403, "forbidden");
    var written = alice.put("services.payment.pool", "production", 10);
    assertThat(written.statusCode()).isEqualTo(200);
    assertThat(written.bodyAsJsonObject().getString("updatedBy")).isEqualTo("alice@example.test");

    TestNode noGrants = node.as(sign(idp, new JsonObject().put("sub", "bob"), ISSUER, AUDIENCE, 300));
    assertProblem(noGrants.get("/v1/config/services.payment.url?env=production"), 403, "forbidden");
  }

  @Test
  @DisplayName("forged and unacceptable JWTs are refused: alg none, a wrong key, HS256 keyed with the public key, "
      + "expired, without exp, living longer than the maximum lifetime, wrong issuer, wrong audience, no sub, "
      + "malformed grants")
  void forgeries() {
    JsonObject payment = claims("mallory", "*", "", "admin");
    String valid = sign(idp, payment, ISSUER, AUDIENCE, 300);
    long now = Instant.now().getEpochSecond();
    JsonObject unsignedClaims = payment.copy().put("iss", ISSUER).put("aud", AUDIENCE).put("exp", now + 300);
    List<String> forged = List.of(
        unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", unsignedClaims),
        unsigned("{\"alg\":\"none\"}", unsignedClaims) + "ignored",
        hs256WithPublicKey(unsignedClaims),
        sign(impostor, payment, ISSUER, AUDIENCE, 300),
        valid.substring(0, valid.lastIndexOf('.') + 1) + Base64.getUrlEncoder().withoutPadding()
            .encodeToString("forged".getBytes(StandardCharsets.UTF_8)),
        signExpired(payment),
        // fresh claims: generateToken adds iat, exp, iss and aud to the object it is given
        idp.generateToken(claims("mallory", "*", "", "admin").put("iss", ISSUER).put("aud", AUDIENCE),
            new JWTOptions().setAlgorithm("RS256")),
        sign(idp, claims("mallory", "*", "", "admin"), ISSUER, AUDIENCE, 2 * 86_400),
        sign(idp, payment, "https://evil.example.test", AUDIENCE, 300),
        sign(idp, payment, ISSUER, "someone-else", 300),
        sign(idp, new JsonObject().put("configd_grants", payment.getJsonArray("configd_grants")), ISSUER, AUDIENCE, 300),
        sign(idp, new JsonObject().put("sub", "x").put("configd_grants", "admin"), ISSUER, AUDIENCE, 300),
        sign(idp, new JsonObject().put("sub", "x").put("configd_grants", new JsonArray().add(
            new JsonObject().put("env", "*").put("prefix", "").put("access", "root"))), ISSUER, AUDIENCE, 300));
    for (String token : forged) {
      var response = node.as(token).get("/v1/config/services.payment.url?env=production");
      assertThat(response.statusCode()).as("forgery " + forged.indexOf(token) + ": " + payloadOf(token)).isEqualTo(401);
      var problem = assertProblem(response, 401, "unauthorized");
      assertThat(problem.getString("detail")).doesNotContain(token);
      assertProblem(node.as(token).put("services.payment.url", "production", "pwned"), 401, "unauthorized");
    }
    assertThat(node.get("/v1/config/services.payment.url?env=production").bodyAsJsonObject().getValue("value"))
        .isEqualTo("pg://pay");
    assertThat(node.as(valid).get("/v1/config/services.payment.url?env=production").statusCode())
        .as("the same claims, properly signed").isEqualTo(200);
  }

  @Test
  @DisplayName("issuer and audience set by CONFIGD_AUTH_JWT_* are checked although the shipped file has them blank")
  void issuerAndAudienceFromTheEnvironment(Vertx vertx, @TempDir Path dir) throws Exception {
    JsonObject file = TestServices.nodeConfig("JwtAuthenticationTestEnv");
    file.getJsonObject("auth").put("jwt", new JsonObject().put("jwksFile", "").put("issuer", "").put("audience", new JsonArray())
        .put("publicKeys", new JsonArray().add(new JsonObject().put("algorithm", "RS256").put("pem", publicPem))));
    Path conf = dir.resolve("configd.json");
    Files.writeString(conf, file.encodePrettily());
    JsonObject config = NodeConfig.load(vertx, conf.toString(), Map.of("CONFIGD_AUTH_JWT_ISSUER", ISSUER,
        "CONFIGD_AUTH_JWT_AUDIENCE", AUDIENCE, "CONFIGD_AUTH_FAILED_AUTH_BURST", "1000")).await();
    TestNode envNode = TestNode.start(vertx, config).await();
    try {
      // fresh claims each time: generateToken adds iat, exp, iss and aud to the object it is given
      for (String token : List.of(sign(idp, claims("carol", "production", "services", "read"),
              "https://evil.example.test", AUDIENCE, 300),
          sign(idp, claims("carol", "production", "services", "read"), ISSUER, "someone-else", 300),
          idp.generateToken(claims("carol", "production", "services", "read"),
              new JWTOptions().setAlgorithm("RS256").setExpiresInSeconds(300)))) {
        assertProblem(envNode.as(token).get("/v1/config/services.payment.url?env=production"), 401, "unauthorized");
      }
      assertProblem(envNode.as(sign(idp, claims("carol", "production", "services", "read"), ISSUER, AUDIENCE, 300))
          .get("/v1/config/services.x?env=production"), 404,
          "not-found");
    } finally {
      envNode.stop().await();
    }
  }

  private static String payloadOf(String token) {
    String[] parts = token.split("\\.");
    try {
      return parts.length < 2 ? token : new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return parts[1];
    }
  }

  static JsonObject claims(String subject, String env, String prefix, String access) {
    return new JsonObject().put("sub", subject).put(JwtVerifier.GRANTS_CLAIM, new JsonArray()
        .add(new JsonObject().put("env", env).put("prefix", prefix).put("access", access)));
  }

  static String sign(JWTAuth signer, JsonObject claims, String issuer, String audience, int seconds) {
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("RS256").setIssuer(issuer)
        .setAudience(List.of(audience)).setExpiresInSeconds(seconds));
  }

  private static String signExpired(JsonObject claims) {
    long past = Instant.now().getEpochSecond() - 120;
    return idp.generateToken(claims.copy().put("iss", ISSUER).put("aud", AUDIENCE).put("iat", past - 60).put("exp", past),
        new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true));
  }

  private static String unsigned(String header, JsonObject claims) {
    return base64(header.getBytes(StandardCharsets.UTF_8)) + "." + base64(claims.encode().getBytes(StandardCharsets.UTF_8))
        + ".";
  }

  /** The algorithm-confusion attack: an HMAC "signature" keyed with the server's public key. */
  private static String hs256WithPublicKey(JsonObject claims) {
    try {
      String input = base64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
          + base64(claims.encode().getBytes(StandardCharsets.UTF_8));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(publicPem.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + base64(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsaKeys() throws NoSuchAlgorithmException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  static JWTAuth signer(Vertx vertx, KeyPair keys) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
        .setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private static String base64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
