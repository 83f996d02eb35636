package io.configd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.NodeProcess;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /metrics of a node started as operators start it (io.configd.Main, so with Vert.x's own metrics too). */
@ExtendWith(VertxExtension.class)
@DisplayName("Prometheus metrics")
class MetricsTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String METRICS_TOKEN = "metrics-scraper-secret-0123456789";
  private static NodeProcess node;
  private static int managementPort;

  @BeforeAll
  static void start() {
    JsonObject config = TestServices.nodeConfig("MetricsTest");
    managementPort = TestServices.freePort();
    config.put("metrics", new JsonObject().put("token", METRICS_TOKEN).put("host", "127.0.0.1").put("port", managementPort));
    node = NodeProcess.start(config).awaitReady(Duration.ofSeconds(120));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop();
    }
  }

  @Test
  @DisplayName("/metrics parses as Prometheus text and holds Vert.x's meters (HTTP, event bus, pools, JVM) and configd's")
  void parsesAndHoldsEveryFamily() {
    get(node.port(), "/health", null); // at least one HTTP request measured
    HttpResponse<String> response = get(node.port(), "/metrics", METRICS_TOKEN);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    PrometheusText metrics = PrometheusText.parse(response.body());
    assertThat(metrics.samples()).hasSizeGreaterThan(100);
    for (String family : new String[] {"vertx_http_server_requests_total", "vertx_eventbus_handlers",
        "vertx_pool_queue_pending", "jvm_memory_used_bytes", "jvm_gc_pause_seconds",
        "configd_propagation_lag_seconds", "configd_publisher_relayed_total", "configd_publisher_backlog_changes",
        "configd_publisher_backlog_age_seconds", "configd_consumer_lag_records", "configd_bridge_sockets",
        "configd_cache_requests_total", "configd_redis_breaker_state", "configd_rate_limit_refusals_total",
        "configd_node_ready", "configd_postgresql_up"}) {
      assertThat(metrics.hasFamily(family)).as(family).isTrue();
    }
    assertThat(metrics.type("configd_propagation_lag_seconds")).isEqualTo("histogram");
    var pg = io.vertx.pgclient.PgConnectOptions.fromUri(TestServices.pgUri());
    assertThat(metrics.find("vertx_pool_in_use", "pool_type", "sql")).isNotEmpty()
        .allSatisfy(pool -> assertThat(pool.labels().get("pool_name"))
            .doesNotContain(pg.getUser() + ":" + pg.getPassword() + "@"));
    assertThat(metrics.value("configd_redis_breaker_state", "state", "CLOSED")).isEqualTo(1);
    Eventually.await("this node to lead the relay", WAIT, () -> scrape().value("configd_publisher_leader") == 1);
    assertThat(metrics.value("configd_node_ready")).isEqualTo(1);
    assertThat(metrics.value("configd_postgresql_up")).isEqualTo(1);
  }

  @Test
  @DisplayName("a PUT raises the relay counter and records a propagation-lag sample; a subscriber raises the socket gauge")
  void movesWithLoad(Vertx vertx) {
    PrometheusText before = scrape();
    double sockets = before.value("configd_bridge_sockets", "transport", "websocket");
    double relayed = before.value("configd_publisher_relayed_total");
    double lagSamples = before.value("configd_propagation_lag_seconds_count");

    BridgeTestClient subscriber = BridgeTestClient.connect(vertx, node.port(), node.adminToken()).await();
    subscriber.register("config.production.metrics").await();
    Eventually.await("the subscriber counted", WAIT,
        () -> scrape().value("configd_bridge_sockets", "transport", "websocket") == sockets + 1);

    node.put("metrics.feature", "production", "on");
    Eventually.await("the change at the subscriber", WAIT, () -> subscriber.messages.size() == 1);

    PrometheusText after = Eventually.value("the relay and the lag counted", WAIT, MetricsTest::scrape,
        now -> now.value("configd_publisher_relayed_total") > relayed
            && now.value("configd_propagation_lag_seconds_count") > lagSamples);
    assertThat(after.value("configd_propagation_lag_seconds_sum")).isPositive();
    assertThat(after.value("configd_propagation_lag_seconds_bucket", "le", "+Inf")).isGreaterThan(lagSamples);
    assertThat(after.value("configd_publisher_backlog_changes")).isGreaterThanOrEqualTo(0);
    assertThat(after.value("configd_consumer_lag_records", "group",
        "configd-audit" + node.config().getJsonObject("kafka").getString("groupSuffix"))).isGreaterThanOrEqualTo(0);
    assertThat(after.value("vertx_http_server_requests_total", "method", "PUT", "code", "200")).isGreaterThanOrEqualTo(1);

    subscriber.close().await();
    Eventually.await("the subscriber gone from the gauge", WAIT,
        () -> scrape().value("configd_bridge_sockets", "transport", "websocket") == sockets);
  }

  @Test
  @DisplayName("on the API port /metrics needs the metrics token or an admin token; the management port needs none")
  void tokenOnTheApiPortNoneOnTheManagementPort() {
    assertThat(get(node.port(), "/metrics", null).statusCode()).isEqualTo(401);
    assertThat(get(node.port(), "/metrics", "cfd_" + "x".repeat(43)).statusCode()).isEqualTo(401);
    assertThat(get(node.port(), "/metrics", node.adminToken()).statusCode()).isEqualTo(200);

    HttpResponse<String> management = get(managementPort, "/metrics", null);
    assertThat(management.statusCode()).isEqualTo(200);
    assertThat(PrometheusText.parse(management.body()).hasFamily("configd_bridge_sockets")).isTrue();
    assertThat(get(managementPort, "/v1/config?env=production", node.adminToken()).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("every metric the Grafana dashboard in deploy/grafana queries is served")
  void dashboardQueriesServedMetrics() throws IOException {
    get(node.port(), "/health", null);
    String dashboard = Files.readString(Path.of("deploy/grafana/configd.json"));
    JsonArray panels = new JsonObject(dashboard).getJsonArray("panels");
    Set<String> queried = new TreeSet<>();
    Matcher names = Pattern.compile("\\b((?:configd|vertx|jvm)_[a-z0-9_]+)").matcher(dashboard);
    while (names.find()) {
      queried.add(names.group(1));
    }
    assertThat(panels).hasSizeGreaterThanOrEqualTo(10);
    assertThat(queried).contains("configd_propagation_lag_seconds_bucket", "configd_publisher_relayed_total",
        "configd_consumer_lag_records", "configd_bridge_sockets", "configd_cache_requests_total",
        "configd_redis_breaker_state", "configd_rate_limit_refusals_total");
    Set<String> served = new TreeSet<>();
    scrape().samples().forEach(sample -> served.add(sample.name()));
    assertThat(served).containsAll(queried);
  }

  private static PrometheusText scrape() {
    HttpResponse<String> response = get(managementPort, "/metrics", null);
    assertThat(response.statusCode()).isEqualTo(200);
    return PrometheusText.parse(response.body());
  }

  private static HttpResponse<String> get(int port, String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
