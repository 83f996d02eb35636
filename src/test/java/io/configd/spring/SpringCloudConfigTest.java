package io.configd.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Problem;
import io.configd.TestNodeExtension;
import io.configd.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * configd as a Spring Cloud Config server: the routes' answers, and examples/spring-cloud-config-app, a Spring Boot
 * app with spring-cloud-starter-config and nothing of configd, started as a process of its own.
 */
@DisplayName("configd as a Spring Cloud Config server")
class SpringCloudConfigTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("SpringCloudConfigTest");

  private static String token;

  @BeforeAll
  static void values() {
    NODE.node().put("services.payment.payment.pool-size", "production", 16);
    NODE.node().put("services.payment.payment.currency", "production", "EUR");
    NODE.node().put("services.payment.payment.limits", "production", new JsonObject().put("max", 500)
        .put("hosts", new JsonArray().add("a").add("b")));
    NODE.node().put("services.application.payment.pool-size", "production", 4);
    NODE.node().put("services.application.shared.greeting", "production", "hi");
    NODE.node().put("services.payment.payment.currency", "staging", "USD");
    NODE.node().put("services.payment.payment.pool-size", "staging", 2);
    NODE.node().put("services.payment.only-staging", "staging", "s");
    NODE.node().put("services.billing.payment.pool-size", "production", 99);
    token = NODE.node().createToken("payment-service", "production", "services.payment", "read",
        "production", "services.application", "read", "staging", "services.payment", "read",
        "staging", "services.application", "read");
  }

  private static HttpResponse<Buffer> get(String path, String... headers) {
    return NODE.node().as(null).get(path, headers);
  }

  @Test
  @DisplayName("answers the Environment JSON: sources highest first, the last profile and the application winning, version = revision")
  void environment() {
    HttpResponse<Buffer> response = get("/config/payment/staging,production", "Authorization", "Bearer " + token);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject env = response.bodyAsJsonObject();
    assertThat(env.getString("name")).isEqualTo("payment");
    assertThat(env.getJsonArray("profiles")).containsExactly("staging", "production");
    assertThat(Long.parseLong(env.getString("version"))).isGreaterThanOrEqualTo(9);
    JsonArray sources = env.getJsonArray("propertySources");
    assertThat(sources.stream().map(s -> ((JsonObject) s).getString("name")).toList())
        .containsExactly("configd:payment-production", "configd:application-production", "configd:payment-staging");
    assertThat(sources.getJsonObject(0).getJsonObject("source").getMap()).containsEntry("payment.pool-size", 16)
        .containsEntry("payment.limits.max", 500).containsEntry("payment.limits.hosts[1]", "b");
    assertThat(sources.getJsonObject(1).getJsonObject("source").getMap()).containsEntry("shared.greeting", "hi");
  }

  @Test
  @DisplayName("serves the merged properties as .properties, .yml and .json, with or without a label")
  void files() throws Exception {
    Properties properties = new Properties();
    properties.load(new StringReader(get("/config/payment-staging,production.properties", "X-Config-Token", token).bodyAsString()));
    assertThat(properties).containsEntry("payment.pool-size", "16").containsEntry("payment.currency", "EUR")
        .containsEntry("only-staging", "s").containsEntry("shared.greeting", "hi");
    String yaml = get("/config/main/payment-production.yml", "X-Config-Token", token).bodyAsString();
    assertThat(yaml).contains("payment:\n  currency: \"EUR\"\n", "  pool-size: 16\n", "    hosts:\n    - \"a\"\n");
    JsonObject json = get("/config/payment-production.json", "X-Config-Token", token).bodyAsJsonObject();
    assertThat(json.getJsonObject("payment").getInteger("pool-size")).isEqualTo(16);
    assertThat(json.getJsonObject("shared").getString("greeting")).isEqualTo("hi");
  }

  @Test
  @DisplayName("takes the token as Bearer, X-Config-Token or Basic password, and refuses what it may not read")
  void access() {
    String basic = "Basic " + Base64.getEncoder().encodeToString(("any:" + token).getBytes(StandardCharsets.UTF_8));
    assertThat(get("/config/payment/production", "Authorization", basic).statusCode()).isEqualTo(200);
    assertThat(get("/config/payment/production", "X-Config-Token", token).statusCode()).isEqualTo(200);
    Problem.assertProblem(get("/config/payment/production"), 401, "unauthorized");
    assertThat(Problem.assertProblem(get("/config/billing/production", "Authorization", "Bearer " + token), 403, "forbidden")
        .getString("detail")).contains("services.billing");
    HttpResponse<Buffer> noEnv = get("/config/payment/default", "Authorization", "Bearer " + token);
    assertThat(noEnv.statusCode()).as("a profile that is no environment has no source, as a Config Server answers").isEqualTo(200);
    assertThat(noEnv.bodyAsJsonObject().getJsonArray("propertySources")).isEmpty();
    Problem.assertProblem(get("/config/pay.ment/production", "Authorization", "Bearer " + token), 400, "invalid-parameter");
  }

  @Test
  @DisplayName("a Spring Boot app with plain spring-cloud-starter-config gets the right values and precedence")
  void springCloudConfigClient() throws Exception {
    try (SpringApp app = SpringApp.start("spring-cloud-config-app", "io.configd.examples.cloud.CloudConfigApplication",
        TestServices.freePort(), List.of(
            "--spring.cloud.config.uri=http://127.0.0.1:" + NODE.node().port() + "/config",
            "--spring.cloud.config.token=" + token, "--spring.profiles.active=staging,production",
            "--spring.cloud.bus.enabled=false",
            "--spring.cloud.bus.destination=" + TestServices.isolated("bus_unused"),
            "--spring.cloud.stream.kafka.binder.brokers=" + TestServices.kafkaBootstrapServers()))
        .awaitUp(Duration.ofSeconds(120))) {
      JsonObject seen = app.getJson("/properties?names=payment.pool-size,payment.currency,only-staging,shared.greeting,"
          + "payment.limits.hosts%5B0%5D");
      assertThat(seen.getString("payment.pool-size")).isEqualTo("16");
      assertThat(seen.getString("payment.currency")).isEqualTo("EUR");
      assertThat(seen.getString("only-staging")).isEqualTo("s");
      assertThat(seen.getString("shared.greeting")).isEqualTo("hi");
      assertThat(seen.getString("payment.limits.hosts[0]")).isEqualTo("a");
      assertThat(seen.getInteger("bean.poolSize")).isEqualTo(16);
      assertThat(app.log()).doesNotContain("io.configd");
    }
  }
}
