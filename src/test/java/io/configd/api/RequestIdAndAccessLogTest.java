package io.configd.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.configd.Eventually;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Request ids, the access log and trusted proxies, against a real node. The node trusts 127.0.0.2 as a proxy; the
 * test reaches it from 127.0.0.2 (a trusted proxy) and from 127.0.0.1 (an untrusted one), both loopback.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Request ids, the access log and trusted proxies")
class RequestIdAndAccessLogTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ListAppender<ILoggingEvent> ACCESS = new ListAppender<>();
  private static TestNode node;
  private static WebClient viaTrustedProxy;
  private static WebClient viaUntrustedProxy;

  @BeforeAll
  static void start(Vertx vertx) {
    ACCESS.start();
    ((Logger) LoggerFactory.getLogger("io.configd.access")).addAppender(ACCESS);
    JsonObject config = TestServices.nodeConfig("RequestIdAndAccessLogTest");
    config.getJsonObject("http").put("trustedProxies", new JsonArray().add("127.0.0.2/32"));
    config.getJsonObject("auth").put("limits", new JsonObject().put("failedAuthBurst", 3).put("failedAuthPerMinute", 1));
    node = TestNode.start(vertx, config).await();
    viaTrustedProxy = WebClient.create(vertx, new WebClientOptions().setLocalAddress("127.0.0.2"));
    viaUntrustedProxy = WebClient.create(vertx, new WebClientOptions().setLocalAddress("127.0.0.3"));
    node.put("access.k", "production", 1);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger("io.configd.access")).detachAppender(ACCESS);
    if (viaTrustedProxy != null) {
      viaTrustedProxy.close();
      viaUntrustedProxy.close();
    }
    if (node != null) {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("a client's X-Request-Id is echoed in the response and is in the request's access log line")
  void honoured() {
    HttpResponse<Buffer> response = node.get("/v1/config/access.k?env=production", "X-Request-Id", "req-abc.123");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("X-Request-Id")).isEqualTo("req-abc.123");
    ILoggingEvent line = accessLine("req-abc.123");
    assertThat(line.getFormattedMessage()).contains("GET /v1/config/access.k 200").contains("client=127.0.0.1")
        .contains("principal=bootstrap-admin").contains("id=req-abc.123").doesNotContain(node.adminToken());
    assertThat(line.getKeyValuePairs()).anySatisfy(kv -> {
      assertThat(kv.key).isEqualTo("requestId");
      assertThat(kv.value).isEqualTo("req-abc.123");
    });
  }

  @Test
  @DisplayName("without one, or with one that is not a sane token, a new id is made, echoed, logged and put in problem bodies")
  void generated() {
    HttpResponse<Buffer> missing = node.get("/v1/config/access.absent?env=production");
    assertThat(missing.statusCode()).isEqualTo(404);
    String id = missing.getHeader("X-Request-Id");
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(missing.bodyAsJsonObject().getString("requestId")).isEqualTo(id);
    assertThat(accessLine(id).getFormattedMessage()).contains("GET /v1/config/access.absent 404");

    HttpResponse<Buffer> insane = node.as(null).get("/v1/config/access.k?env=production", "X-Request-Id",
        "x".repeat(200));
    assertThat(insane.statusCode()).isEqualTo(401);
    String replaced = insane.getHeader("X-Request-Id");
    assertThat(replaced).matches("[0-9a-f-]{36}");
    assertThat(insane.bodyAsJsonObject().getString("requestId")).isEqualTo(replaced);
    assertThat(accessLine(replaced).getFormattedMessage()).contains("401").contains("principal=-");
  }

  @Test
  @DisplayName("behind a trusted proxy the X-Forwarded-For client drives the rate limits and the access log")
  void trustedProxy() {
    for (int i = 0; i < 3; i++) {
      assertThat(viaProxy(viaTrustedProxy, "203.0.113.7", "cfd_wrong" + i).statusCode()).isEqualTo(401);
    }
    HttpResponse<Buffer> blocked = viaProxy(viaTrustedProxy, "203.0.113.7", "cfd_wrong");
    assertThat(blocked.statusCode()).as("203.0.113.7 used up its failed authentications").isEqualTo(429);
    assertThat(accessLine(blocked.getHeader("X-Request-Id")).getFormattedMessage()).contains("client=203.0.113.7");
    assertThat(viaProxy(viaTrustedProxy, "203.0.113.8", "cfd_wrong").statusCode())
        .as("another client behind the same proxy is not blocked").isEqualTo(401);
    HttpResponse<Buffer> forwarded = viaTrustedProxy.get(node.port(), "127.0.0.1", "/v1/config/access.k?env=production")
        .putHeader("Forwarded", "for=\"[2001:db8::5]:443\";proto=https")
        .putHeader("Authorization", "Bearer " + node.adminToken()).send().await();
    assertThat(forwarded.statusCode()).isEqualTo(200);
    assertThat(accessLine(forwarded.getHeader("X-Request-Id")).getFormattedMessage())
        .contains("client=2001:db8:0:0:0:0:0:5");
  }

  @Test
  @DisplayName("from an untrusted proxy X-Forwarded-For is ignored: the peer's address is the client")
  void untrustedProxy() {
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> refused = viaProxy(viaUntrustedProxy, "198.51.100." + i, "cfd_untrusted" + i);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(accessLine(refused.getHeader("X-Request-Id")).getFormattedMessage()).contains("client=127.0.0.3");
    }
    assertThat(viaProxy(viaUntrustedProxy, "198.51.100.99", "cfd_untrusted").statusCode())
        .as("a new forwarded address does not escape the limit of the untrusted peer 127.0.0.3").isEqualTo(429);
  }

  private static HttpResponse<Buffer> viaProxy(WebClient client, String forwardedFor, String token) {
    return client.request(HttpMethod.GET, SocketAddress.inetSocketAddress(node.port(), "127.0.0.1"),
            "/v1/config/access.k?env=production")
        .putHeader("X-Forwarded-For", forwardedFor).putHeader("Authorization", "Bearer " + token).send().await();
  }

  /** The access log line of the request with this id (written when its response ends). */
  private static ILoggingEvent accessLine(String id) {
    return Eventually.value("the access log line of request " + id, WAIT, () -> find(id), Optional::isPresent).get();
  }

  private static Optional<ILoggingEvent> find(String id) {
    List<ILoggingEvent> lines = List.copyOf(ACCESS.list);
    return lines.stream().filter(e -> e.getFormattedMessage().endsWith("id=" + id)).findFirst();
  }
}
