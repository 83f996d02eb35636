package io.configd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.RawHttp;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP server before the router: head and idle timeouts, a connection cap per address, framing it refuses. */
@ExtendWith(VertxExtension.class)
@DisplayName("The HTTP server refuses slow, silent, crowded and malformed connections")
class HttpServerHardeningTest {

  private static final int CAP = 6;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("HttpServerHardeningTest");
    config.getJsonObject("http").put("headerTimeoutMillis", 1_500).put("idleTimeoutSeconds", 3)
        .put("maxConnectionsPerAddress", CAP);
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("a connection that sends no complete request head in time is closed: silent, slowloris, a TLS ClientHello")
  void headTimeout() throws Exception {
    try (RawHttp silent = RawHttp.connect(node.port());
         RawHttp slowloris = RawHttp.connect(node.port());
         RawHttp tls = RawHttp.connect(node.port())) {
      tls.send(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03});
      slowloris.send("GET /health HTTP/1.1\r\nHost: x\r\n");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      boolean closed = false;
      for (int i = 0; !closed && System.nanoTime() < deadline; i++) {
        try {
          slowloris.send("X-" + i + ": y\r\n"); // a header line at a time, never the blank line
        } catch (java.io.IOException e) {
          closed = true;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // the slowloris pace, not a wait for the server
      }
      assertThat(closed).as("the slowloris connection was closed").isTrue();
      assertThat(silent.readUntilClosed(Duration.ofSeconds(30))).isEmpty();
      assertThat(tls.readUntilClosed(Duration.ofSeconds(30))).doesNotContain("200");
    }
    assertThat(node.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a keep-alive connection left silent after its answer is closed by the idle timeout")
  void idleTimeout() throws Exception {
    try (RawHttp client = RawHttp.connect(node.port())) {
      client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(client.readHead()).startsWith("HTTP/1.1 200");
      client.readUntilClosed(Duration.ofSeconds(40));
    }
  }

  @Test
  @DisplayName("a Transfer-Encoding other than chunked is a 400 problem and the connection closes")
  void transferEncoding() throws Exception {
    for (String encoding : List.of("xchunked", "gzip, chunked", "identity")) {
      try (RawHttp client = RawHttp.connect(node.port())) {
        client.send("PUT /v1/config/te.k?env=production HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + node.adminToken()
            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: " + encoding
            + "\r\nContent-Length: 12\r\n\r\n{\"value\": 1}");
        String answer = client.readUntilClosed(Duration.ofSeconds(30));
        assertThat(answer).as(encoding).startsWith("HTTP/1.1 400").contains("application/problem+json")
            .contains("/problems/invalid-request");
      }
    }
    assertThat(node.get("/v1/config/te.k?env=production").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("a request the HTTP decoder refuses is answered in problem+json: 414, 431, 400, and 505 for another "
      + "HTTP version, with a status line the client can read")
  void decoderFailures() throws Exception {
    String[][] cases = {
        {"GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "414", "uri-too-long"},
        {"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n", "431", "headers-too-large"},
        {"GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", "400", "invalid-request"},
        {"GET /health HTTP/2.5\r\nHost: x\r\n\r\n", "505", "http-version-not-supported"},
        {"GET /health HTTP/0.9\r\nHost: x\r\n\r\n", "505", "http-version-not-supported"},
        {"GET /health HTTX/1.1\r\nHost: x\r\n\r\n", "400", "invalid-request"},
        {"PUT /v1/config/v.k?env=production HTTP/1.2\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", "505",
            "http-version-not-supported"},
    };
    for (String[] c : cases) {
      try (RawHttp client = RawHttp.connect(node.port())) {
        String answer = client.send(c[0]).readUntilClosed(Duration.ofSeconds(30));
        assertThat(answer).as(c[2]).matches("(?s)HTTP/1\\.[01] " + c[1] + " .*").contains("application/problem+json")
            .contains("/problems/" + c[2]);
      }
    }
  }

  @Test
  @DisplayName("connections from one address beyond http.maxConnectionsPerAddress are closed at once; others go on")
  void connectionCap() throws Exception {
    List<RawHttp> open = new ArrayList<>();
    try {
      for (int i = 0; i < CAP * 3; i++) {
        RawHttp client = RawHttp.connect(node.port());
        open.add(client);
        client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      }
      long answered = 0;
      for (RawHttp client : open) {
        String head;
        try {
          head = client.readHead();
        } catch (AssertionError | java.io.IOException closed) {
          continue;
        }
        answered += head.startsWith("HTTP/1.1 200") ? 1 : 0;
      }
      assertThat(answered).as("answered connections of " + open.size()).isLessThanOrEqualTo(CAP).isPositive();
    } finally {
      for (RawHttp client : open) {
        client.close();
      }
    }
    io.configd.Eventually.await("a new connection is served once the others closed", Duration.ofSeconds(30),
        () -> node.get("/health").statusCode() == 200);
  }
}
