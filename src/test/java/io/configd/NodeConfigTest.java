package io.configd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
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
