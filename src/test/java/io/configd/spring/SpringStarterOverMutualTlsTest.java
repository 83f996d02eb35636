package io.configd.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestCa;
import io.configd.TestNode;
import io.configd.TestServices;
import io.configd.client.ConfigClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A node with mutual TLS (tls.clientCaFile): the Java client and a Spring Boot service with the starter connect with a client certificate. */
@ExtendWith(VertxExtension.class)
@DisplayName("Mutual TLS with the Java client and the Spring Boot starter")
class SpringStarterOverMutualTlsTest {

  private static final String MAIN = "io.configd.examples.starter.PaymentApplication";

  @TempDir
  static Path dir;
  private static TestCa ca;
  private static Path[] client;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) {
    ca = TestCa.create(dir, "configd-mtls-ca");
    Path[] server = ca.issue("configd-mtls-node");
    client = ca.issue("payment-service");
    JsonObject config = TestServices.nodeConfig("SpringStarterOverMutualTlsTest");
    config.put("tls", new JsonObject().put("certFile", server[0].toString()).put("keyFile", server[1].toString())
        .put("clientCaFile", ca.certificate().toString()).put("required", true));
    node = TestNode.start(vertx, config, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(ca.certificate().toString()))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(client[0].toString()).setKeyPath(client[1].toString())))
        .await();
    node.put("services.payment.pool-size", "production", 12);
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("curl without a client certificate is refused; the Java client with one loads its values")
  void javaClient(Vertx vertx) throws Exception {
    Process curl = new ProcessBuilder("curl", "-sS", "--cacert", ca.certificate().toString(),
        "https://localhost:" + node.port() + "/health").redirectErrorStream(true).start();
    curl.getInputStream().readAllBytes();
    assertThat(curl.waitFor()).as("no client certificate: the handshake fails").isNotZero();

    ConfigClient config = ConfigClient.builder().vertx(vertx).node("https://localhost:" + node.port())
        .trustedCertificates(ca.certificate()).clientCertificate(client[0], client[1]).token(node.adminToken())
        .watch("production", "services.payment").build();
    try {
      config.start().await();
      assertThat(config.find("services.payment.pool-size")).contains(12);
    } finally {
      config.close().await();
    }
  }

  @Test
  @DisplayName("a Spring Boot service with configd.tls.ca-file, cert-file and key-file starts with configd's values")
  void springStarter() throws Exception {
    String token = node.createToken("payment-service", "production", "services.payment", "read");
    List<String> args = List.of("--configd.nodes=https://localhost:" + node.port(), "--configd.token=" + token,
        "--configd.snapshot-file=" + dir.resolve("snapshot.json"), "--configd.tls.ca-file=" + ca.certificate(),
        "--configd.tls.cert-file=" + client[0], "--configd.tls.key-file=" + client[1]);
    try (SpringApp app = SpringApp.start("spring-starter-app", MAIN, TestServices.freePort(), args,
        List.of("spring-cloud-context")).awaitUp(Duration.ofSeconds(90))) {
      assertThat(app.getJson("/settings").getInteger("poolSize")).isEqualTo(12);
    }
  }
}
