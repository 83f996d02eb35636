package io.configd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** log.accessFlushMs in a node of its own (io.configd.Main), whose log file the test reads. */
@DisplayName("The access log's buffer in a node")
class AccessLogBufferTest {

  @Test
  @DisplayName("access lines wait in the buffer, and a node stopped by SIGTERM writes them before it exits")
  void writtenAtStop() throws Exception {
    JsonObject config = TestServices.nodeConfig("AccessLogBufferTest");
    config.put("log", new JsonObject().put("accessFlushMs", 600_000)); // no flush on time while the test runs
    NodeProcess node = NodeProcess.start(config);
    Path log = Path.of("target/nodes", node.name() + ".log"); // appended to by earlier runs: the ids are this run's
    String run = UUID.randomUUID().toString().substring(0, 8);
    String first = "buffered-1-" + run;
    String second = "buffered-2-" + run;
    try {
      node.awaitReady(Duration.ofSeconds(90));
      HttpClient http = HttpClient.newHttpClient();
      for (String id : new String[] {first, second}) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/v1/whoami"))
            .header("Authorization", "Bearer " + node.adminToken()).header("X-Request-Id", id).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
      }
      // the first request's line was logged when its response ended, before the second was answered
      assertThat(Files.readString(log)).as("not written while the buffer has room").doesNotContain("id=" + first);
    } finally {
      node.stop();
    }
    String written = Files.readString(log);
    assertThat(written).contains("GET /v1/whoami 200").contains("id=" + first).contains("id=" + second);
    assertThat(written.indexOf("id=" + first)).isLessThan(written.indexOf("id=" + second));
  }
}
