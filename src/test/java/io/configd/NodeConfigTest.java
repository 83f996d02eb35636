package io.configd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.configd.auth.AuthSettings;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The node configuration")
class NodeConfigTest {

  @Test
  @DisplayName("the shipped conf/ file gives the documented defaults")
  void defaults(Vertx vertx) {
    JsonObject config = NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, Map.of()).await();

    assertThat(config.getJsonObject("http").getInteger("port")).isEqualTo(8080);
    assertThat(config.getJsonObject("pg").getString("uri")).startsWith("postgresql://").contains("127.0.0.1:5432");
    assertThat(config.getJsonObject("redis").getString("uri")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(config.getJsonObject("kafka").getString("bootstrapServers")).isEqualTo("127.0.0.1:9092");
    assertThat(config.getJsonObject("node").getJsonArray("environments"))
        .containsExactly("development", "staging", "production");
  }

  @Test
  @DisplayName("a CONFIGD_* environment variable wins over the file, typed like the file's value")
  void environmentWins(Vertx vertx) {
    Map<String, String> env = Map.of(
        "CONFIGD_HTTP_PORT", "9191",
        "CONFIGD_PG_URI", "postgresql://u:p@db:5433/other",
        "CONFIGD_REDIS_URI", "redis://cache:6380",
        "CONFIGD_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092",
        "CONFIGD_PG_POOL_SIZE", "3",
        "CONFIGD_NODE_ENVIRONMENTS", "dev, prod",
        "PATH", "/usr/bin");

    JsonObject config = NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, env).await();

    assertThat(config.getJsonObject("http").getValue("port")).isEqualTo(9191);
    assertThat(config.getJsonObject("http").getString("host")).isEqualTo("0.0.0.0");
    assertThat(config.getJsonObject("pg").getString("uri")).isEqualTo("postgresql://u:p@db:5433/other");
    assertThat(config.getJsonObject("pg").getValue("poolSize")).isEqualTo(3);
    assertThat(config.getJsonObject("redis").getString("uri")).isEqualTo("redis://cache:6380");
    assertThat(config.getJsonObject("kafka").getString("bootstrapServers")).isEqualTo("k1:9092,k2:9092");
    assertThat(config.getJsonObject("node").getJsonArray("environments")).isEqualTo(new JsonArray().add("dev").add("prod"));
    assertThat(config.containsKey("PATH")).isFalse();
    assertThat(config.containsKey(NodeConfig.ENV_PREFIX)).isFalse();
  }

  @Test
  @DisplayName("every setting of the shipped file is set by its CONFIGD_<SECTION>_<FIELD> variable, nested ones included")
  void everySettingHasAnEnvironmentOverride(Vertx vertx) {
    JsonObject shipped = NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, Map.of()).await();
    Map<String, String> env = new TreeMap<>();
    Map<String, Object> expected = new TreeMap<>();
    leaves(shipped, "", (path, value) -> {
      String variable = "CONFIGD_" + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
      Object override;
      if (value instanceof Integer n) {
        override = n + 7;
      } else if (value instanceof Long n) {
        override = n + 7;
      } else if (value instanceof Number n) {
        override = n.doubleValue() + 0.5;
      } else if (value instanceof Boolean b) {
        override = !b;
      } else if (value instanceof JsonArray && path.endsWith("publicKeys")) {
        override = new JsonArray().add(new JsonObject().put("algorithm", "RS256").put("pem", "PEM"));
      } else if (value instanceof JsonArray) {
        override = new JsonArray().add("first-" + path).add("second");
      } else {
        override = "set-" + path;
      }
      env.put(variable, override instanceof JsonArray list && !path.endsWith("publicKeys")
          ? list.getString(0) + ", " + list.getString(1) : String.valueOf(override));
      expected.put(path, override);
    });
    assertThat(expected).containsKeys("auth.jwt.issuer", "auth.jwt.audience", "auth.jwt.jwksFile",
        "auth.jwt.maxLifetimeSeconds", "auth.limits.failedAuthBurst", "http.port");

    JsonObject config = NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, env).await();

    expected.forEach((path, value) -> assertThat(valueAt(config, path)).as(path + " from " + env.keySet().stream()
        .filter(name -> name.endsWith(path.substring(path.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT))).toList())
        .isEqualTo(value));
  }

  @Test
  @DisplayName("a blank JWT setting in the file is unset: CONFIGD_AUTH_JWT_* variables give issuer, audience, keys and lifetime")
  void jwtSettingsFromTheEnvironment(Vertx vertx) {
    AuthSettings.Jwt shipped = AuthSettings.from(NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, Map.of()).await()).jwt();
    assertThat(shipped.issuer()).isNull();
    assertThat(shipped.jwksFile()).isNull();
    assertThat(shipped.audience()).isEmpty();
    assertThat(shipped.maxLifetimeSeconds()).isEqualTo(86_400);

    AuthSettings.Jwt jwt = AuthSettings.from(NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, Map.of(
        "CONFIGD_AUTH_JWT_ISSUER", "https://idp.example.test",
        "CONFIGD_AUTH_JWT_AUDIENCE", "configd, other",
        "CONFIGD_AUTH_JWT_JWKS_FILE", "/etc/configd/jwks.json",
        "CONFIGD_AUTH_JWT_MAX_LIFETIME_SECONDS", "3600",
        "CONFIGD_AUTH_JWT_PUBLIC_KEYS", "[{\"algorithm\": \"RS256\", \"pem\": \"PEM\"}]")).await()).jwt();
    assertThat(jwt.issuer()).isEqualTo("https://idp.example.test");
    assertThat(jwt.audience()).containsExactly("configd", "other");
    assertThat(jwt.jwksFile()).isEqualTo("/etc/configd/jwks.json");
    assertThat(jwt.maxLifetimeSeconds()).isEqualTo(3600);
    assertThat(jwt.publicKeys()).extracting(key -> key.getString("algorithm")).containsExactly("RS256");

    // a file without the jwt section gets them flat (auth.jwtIssuer): the same settings
    JsonObject flat = new JsonObject().put("auth", new JsonObject().put("jwtIssuer", "https://flat.example.test")
        .put("jwtAudience", "a,b").put("jwt", new JsonObject().put("issuer", "").put("audience", new JsonArray())));
    assertThat(AuthSettings.from(flat).jwt().issuer()).isEqualTo("https://flat.example.test");
    assertThat(AuthSettings.from(flat).jwt().audience()).containsExactly("a", "b");
  }

  private static void leaves(JsonObject object, String prefix, BiConsumer<String, Object> each) {
    object.forEach(entry -> {
      String path = prefix + entry.getKey();
      if (entry.getKey().startsWith("_")) {
        return; // a comment in the file
      }
      if (entry.getValue() instanceof JsonObject nested) {
        leaves(nested, path + ".", each);
      } else {
        each.accept(path, entry.getValue());
      }
    });
  }

  private static Object valueAt(JsonObject config, String path) {
    Object value = config;
    for (String part : path.split("\\.")) {
      value = ((JsonObject) value).getValue(part);
    }
    return value;
  }

  @Test
  @DisplayName("the restore and retention settings are overridden by CONFIGD_* too, and a blank variable is unset")
  void restoreAndRetention(Vertx vertx) {
    Map<String, String> env = Map.of(
        "CONFIGD_RESTORE_CHECK_KAFKA", "false",
        "CONFIGD_RESTORE_KAFKA_TIMEOUT_MS", "2500",
        "CONFIGD_RETENTION_CHANGES_MAX_AGE_MS", "86400000",
        "CONFIGD_RETENTION_CHANGES_MAX_COUNT", "",
        "CONFIGD_RETENTION_AUDIT_MAX_COUNT", " ",
        "CONFIGD_RETENTION_BATCH_SIZE", "50");

    JsonObject config = NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, env).await();

    assertThat(config.getJsonObject("restore").getValue("checkKafka")).isEqualTo(false);
    assertThat(config.getJsonObject("restore").getValue("kafkaTimeoutMs")).isEqualTo(2500);
    JsonObject retention = config.getJsonObject("retention");
    assertThat(retention.getLong("changesMaxAgeMs")).isEqualTo(86_400_000L);
    assertThat(retention.getLong("changesMaxCount")).as("blank: the file's value").isZero();
    assertThat(retention.getLong("auditMaxCount")).as("blank: the file's value").isZero();
    assertThat(retention.getLong("auditMaxAgeMs")).isEqualTo(31_536_000_000L);
    assertThat(retention.getValue("batchSize")).isEqualTo(50);
    assertThat(io.configd.retention.RetentionSettings.from(retention).batchSize()).isEqualTo(50);
  }

  @Test
  @DisplayName("CONFIGD_CONF names another configuration file")
  void otherFile() {
    assertThat(NodeConfig.file(Map.of("CONFIGD_CONF", "/etc/configd/configd.json"))).isEqualTo("/etc/configd/configd.json");
    assertThat(NodeConfig.file(Map.of())).isEqualTo("conf/configd.json");
  }

  @Test
  @DisplayName("the security settings (tls, trusted proxies, logs) come from CONFIGD_* variables, and a blank one is unset")
  void securitySettings(Vertx vertx) {
    Map<String, String> env = Map.of(
        "CONFIGD_TLS_CERT_FILE", "/etc/configd/tls.crt",
        "CONFIGD_TLS_KEY_FILE", "/etc/configd/tls.key",
        "CONFIGD_TLS_CLIENT_CA_FILE", " ",
        "CONFIGD_TLS_REQUIRED", "true",
        "CONFIGD_TLS_RELOAD_MILLIS", "250",
        "CONFIGD_TLS_HEALTH_PORT", "8081",
        "CONFIGD_HTTP_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.0.7",
        "CONFIGD_LOG_FORMAT", "json",
        "CONFIGD_LOG_ACCESS", "false",
        "CONFIGD_HTTP_PORT", "");

    NodeSettings settings = NodeSettings.from(NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, env).await());

    assertThat(settings.tls()).isEqualTo(new io.configd.tls.TlsSettings("/etc/configd/tls.crt", "/etc/configd/tls.key",
        null, true, 250, 8081));
    assertThat(settings.api().trustedProxies()).containsExactly("10.0.0.0/8", "192.168.0.7");
    assertThat(settings.api().accessLog()).isFalse();
    assertThat(settings.api().port()).as("a blank variable leaves the file's value").isEqualTo(8080);
    JsonObject config = NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, env).await();
    assertThat(io.configd.logging.LogSettings.from(config).json()).isTrue();

    NodeSettings defaults = NodeSettings.from(NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, Map.of()).await());
    assertThat(defaults.tls().enabled()).isFalse();
    assertThat(defaults.api().trustedProxies()).isEmpty();
    assertThat(defaults.api().accessLog()).isTrue();
  }

  @Test
  @DisplayName("the JWKS URL, OpenID Connect discovery and their refresh intervals come from CONFIGD_AUTH_JWT_* variables")
  void jwksSettings(Vertx vertx) {
    Map<String, String> env = Map.of(
        "CONFIGD_AUTH_JWT_ISSUER", "https://idp.example.test/realms/ops",
        "CONFIGD_AUTH_JWT_DISCOVERY", "true",
        "CONFIGD_AUTH_JWT_JWKS_URL", "https://idp.example.test/keys",
        "CONFIGD_AUTH_JWT_JWKS_REFRESH_MILLIS", "60000",
        "CONFIGD_AUTH_JWT_JWKS_MIN_REFRESH_MILLIS", "2000");

    var jwt = NodeSettings.from(NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, env).await()).auth().jwt();

    assertThat(jwt.issuer()).isEqualTo("https://idp.example.test/realms/ops");
    assertThat(jwt.discovery()).isTrue();
    assertThat(jwt.jwksUrl()).isEqualTo("https://idp.example.test/keys");
    assertThat(jwt.jwksRefreshMillis()).isEqualTo(60_000);
    assertThat(jwt.jwksMinRefreshMillis()).isEqualTo(2_000);
    assertThat(jwt.enabled()).isTrue();

    var defaults = NodeSettings.from(NodeConfig.load(vertx, NodeConfig.DEFAULT_FILE, Map.of()).await()).auth().jwt();
    assertThat(defaults.remoteKeys()).isFalse();
    assertThat(defaults.jwksRefreshMillis()).isEqualTo(300_000);
    assertThat(defaults.jwksMinRefreshMillis()).isEqualTo(10_000);
  }
}
