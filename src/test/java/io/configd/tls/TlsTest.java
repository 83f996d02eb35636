package io.configd.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configd.Eventually;
import io.configd.Node;
import io.configd.NodeScript;
import io.configd.TestCa;
import io.configd.TestNode;
import io.configd.TestServices;
import io.configd.client.ConfigClient;
import io.configd.client.ConnectionState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with TLS required, its certificate from a CA made for the test: curl, the Java client, the Node.js client
 * and a TLS TCP bridge client connect with that CA; plain connections are refused; a certificate replaced on disk is
 * what new connections get, without a restart.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("TLS")
class TlsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  private static TestCa ca;
  private static Path cert;
  private static Path key;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) throws IOException {
    ca = TestCa.create(dir, "configd-test-ca");
    Path[] issued = ca.issue("configd-node-1");
    cert = dir.resolve("tls.crt");
    key = dir.resolve("tls.key");
    TestCa.replace(issued[0], cert);
    TestCa.replace(issued[1], key);
    JsonObject config = TestServices.nodeConfig("TlsTest");
    config.put("tls", new JsonObject().put("certFile", cert.toString()).put("keyFile", key.toString())
        .put("required", true).put("reloadMillis", 200).put("healthPort", TestServices.freePort()));
    node = TestNode.start(vertx, config, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(ca.certificate().toString()))).await();
    node.put("tls.app.greeting", "production", "hello");
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("curl reads and writes over https with the test CA, and refuses the node without it")
  void curl() throws Exception {
    String base = "https://localhost:" + node.port();
    Run read = run("curl", "-sS", "--cacert", ca.certificate().toString(), "-H", "Authorization: Bearer " + node.adminToken(),
        base + "/v1/config/tls.app.greeting?env=production");
    assertThat(read.exit()).as(read.output()).isZero();
    assertThat(new JsonObject(read.output()).getString("value")).isEqualTo("hello");

    Run write = run("curl", "-sS", "--cacert", ca.certificate().toString(), "-X", "PUT", "-H",
        "Authorization: Bearer " + node.adminToken(), "-H", "Content-Type: application/json", "-d", "{\"value\": 7}",
        base + "/v1/config/tls.app.curl?env=production");
    assertThat(write.exit()).as(write.output()).isZero();
    assertThat(new JsonObject(write.output()).getInteger("version")).isEqualTo(1);

    Run untrusted = run("curl", "-sS", base + "/health");
    assertThat(untrusted.exit()).as("curl without the CA: 60 is 'peer certificate cannot be authenticated'")
        .isEqualTo(60);
  }

  @Test
  @DisplayName("plain HTTP and plain TCP bridge connections are refused when TLS is required")
  void plainRefused(Vertx vertx) throws Exception {
    WebClient plain = WebClient.create(vertx);
    try {
      assertThatThrownBy(() -> plain.get(node.port(), "127.0.0.1", "/health").send().await())
          .as("a plain HTTP request to the TLS port gets no answer");
    } finally {
      plain.close();
    }
    Run curl = run("curl", "-sS", "http://127.0.0.1:" + node.port() + "/health");
    assertThat(curl.exit()).as(curl.output()).isNotZero();

    try (Socket socket = new Socket("127.0.0.1", node.bridgeTcpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(frame(new JsonObject().put("type", "ping")));
      byte[] answer = socket.getInputStream().readAllBytes(); // until the node closes it
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).as("no bridge frame on a plain connection")
          .doesNotContain("pong").doesNotContain("\"type\"");
    }
  }

  @Test
  @DisplayName("the TCP bridge answers a snapshot request over TLS with the test CA")
  void tcpBridgeOverTls() throws Exception {
    try (SSLSocket socket = tlsSocket(node.bridgeTcpPort())) {
      socket.getOutputStream().write(frame(new JsonObject().put("type", "send").put("address", "configd.snapshot")
          .put("replyAddress", "tls-1").put("headers", new JsonObject().put("Authorization", "Bearer " + node.adminToken()))
          .put("body", new JsonObject().put("env", "production").put("prefix", "tls.app"))));
      JsonObject reply = readFrame(socket.getInputStream());
      assertThat(reply.getString("address")).isEqualTo("tls-1");
      assertThat(reply.encode()).contains("tls.app.greeting").contains("hello");
    }
  }

  @Test
  @DisplayName("the Java client loads over https and follows changes over wss with the test CA")
  void javaClient(Vertx vertx) {
    String token = node.createToken("tls-java-client", "production", "tls.app", "read");
    ConfigClient client = ConfigClient.builder().vertx(vertx).node("https://localhost:" + node.port())
        .trustedCertificates(ca.certificate()).token(token).watch("production", "tls.app").build();
    try {
      client.start().await();
      assertThat(client.find("tls.app.greeting")).contains("hello");
      Eventually.await("the bridge over wss", WAIT, () -> client.connectionState() == ConnectionState.BRIDGE);
      node.put("tls.app.java", "production", 42);
      Eventually.await("the live change over wss", WAIT, () -> client.find("tls.app.java").isPresent());
      assertThat(client.find("tls.app.java")).contains(42);
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("the Java client without the CA does not connect: the node's certificate is verified")
  void javaClientVerifies(Vertx vertx) {
    ConfigClient client = ConfigClient.builder().vertx(vertx).node("https://localhost:" + node.port())
        .token(node.adminToken()).watch("production", "tls.app").startTimeout(Duration.ofSeconds(2)).build();
    try {
      assertThatThrownBy(() -> client.start().await()).hasMessageContaining("answered");
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("the Node.js client loads and follows changes over https and wss with the test CA")
  void nodeClient() throws Exception {
    File clientDir = new File("clients/node");
    if (!new File(clientDir, "node_modules/@vertx/eventbus-bridge-client.js").isDirectory()) {
      throw new IllegalStateException("clients/node/node_modules is missing: run bin/test, or npm ci --prefix clients/node");
    }
    String token = node.createToken("tls-node-client", "production", "tls.app", "read");
    try (NodeScript follower = NodeScript.start(clientDir, Map.of("CONFIGD_CA_FILE", ca.certificate().toString()),
        "bin/follow.js", "https://localhost:" + node.port(), "production:tls.app", token)) {
      JsonObject started = follower.await("started", WAIT);
      assertThat(started.getJsonObject("values").getString("tls.app.greeting")).isEqualTo("hello");
      node.put("tls.app.node", "production", "live");
      Eventually.await("the live change over wss (events: " + follower.events() + ")", WAIT, () -> follower.events()
          .stream().anyMatch(e -> "change".equals(e.getString("event")) && "tls.app.node".equals(e.getString("key"))));
    }
  }

  @Test
  @DisplayName("a certificate replaced on disk is served on new HTTP and TCP connections without a restart")
  void reload() throws Exception {
    String before = serverCertificate(node.port()).getSubjectX500Principal().getName();
    assertThat(before).contains("CN=configd-node-1");
    Path[] renewed = ca.issue("configd-node-renewed");
    TestCa.replace(renewed[1], key);
    TestCa.replace(renewed[0], cert);
    Eventually.await("the renewed certificate on the HTTP port", WAIT,
        () -> serverCertificate(node.port()).getSubjectX500Principal().getName().contains("CN=configd-node-renewed"));
    Eventually.await("the renewed certificate on the TCP bridge", WAIT,
        () -> serverCertificate(node.bridgeTcpPort()).getSubjectX500Principal().getName()
            .contains("CN=configd-node-renewed"));
    assertThat(node.get("/v1/config/tls.app.greeting?env=production").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("tls.healthPort serves /health and /ready in plain HTTP on loopback, and nothing else")
  void healthPort() {
    int port = node.node().healthPort();
    Run health = run("curl", "-sS", "http://127.0.0.1:" + port + "/health");
    assertThat(health.exit()).as(health.output()).isZero();
    assertThat(new JsonObject(health.output()).getString("status")).isEqualTo("UP");
    Run ready = run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + port + "/ready");
    assertThat(ready.output()).isIn("200", "503");
    Run api = run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer "
        + node.adminToken(), "http://127.0.0.1:" + port + "/v1/config/tls.app.greeting?env=production");
    assertThat(api.output()).isEqualTo("404");
  }

  @Test
  @DisplayName("a node with tls.required and no certificate refuses to start")
  void requiredWithoutCertificate(Vertx vertx) {
    JsonObject config = TestServices.nodeConfig("TlsTestRequired");
    config.put("tls", new JsonObject().put("required", true));
    assertThatThrownBy(() -> Node.deploy(vertx, config).await())
        .hasMessageContaining("tls.required is true but tls.certFile and tls.keyFile are not set");
  }

  private static X509Certificate serverCertificate(int port) throws Exception {
    try (SSLSocket socket = tlsSocket(port)) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private static SSLSocket tlsSocket(int port) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(ca.certificate())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    var parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    return socket;
  }

  private static byte[] frame(JsonObject frame) {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) (json.length >>> 24), (byte) (json.length >>> 16), (byte) (json.length >>> 8),
        (byte) json.length});
    out.writeBytes(json);
    return out.toByteArray();
  }

  private static JsonObject readFrame(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] json = new byte[data.readInt()];
    data.readFully(json);
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }

  private record Run(int exit, String output) {
  }

  private static Run run(String... command) {
    try {
      Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish");
      }
      return new Run(process.exitValue(), output);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
