package io.configd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** log.format=json, in a node of its own: its log is one JSON object per line, the access log among them. */
@DisplayName("JSON logs")
class JsonLogsTest {

  @Test
  @DisplayName("with log.format json a node logs JSON lines, and a request's access line carries its id")
  void jsonLines() throws Exception {
    JsonObject config = TestServices.nodeConfig("JsonLogsTest");
    config.put("log", new JsonObject().put("format", "json"));
    NodeProcess node = NodeProcess.start(config);
    try {
      node.awaitReady(Duration.ofSeconds(90));
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + node.port() + "/v1/whoami"))
          .header("Authorization", "Bearer " + node.adminToken()).header("X-Request-Id", "json-log-1").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("X-Request-Id")).contains("json-log-1");

      Path log = Path.of("target/nodes", node.name() + ".log");
      JsonObject access = Eventually.value("the access line in " + log, Duration.ofSeconds(10),
          () -> line(log, "json-log-1"), Optional::isPresent).get();
      assertThat(access.getString("loggerName")).isEqualTo("io.configd.access");
      assertThat(access.getString("level")).isEqualTo("INFO");
      JsonArray pairs = access.getJsonArray("kvpList");
      assertThat(access.getString("formattedMessage")).startsWith("GET /v1/whoami 200 ").endsWith("id=json-log-1");
      assertThat(pairs.encode()).contains("\"requestId\":\"json-log-1\"").contains("\"status\":\"200\"")
          .contains("\"path\":\"/v1/whoami\"");
      assertThat(line(log, "ready")).as("the start-up lines are JSON too").isPresent();
    } finally {
      node.stop();
    }
  }

  /** The first JSON line of the log whose message contains {@code text}; fails on a line that is not JSON. */
  private static Optional<JsonObject> line(Path log, String text) throws Exception {
    List<String> lines = Files.readAllLines(log);
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      assertThat(line).as("every log line is a JSON object").startsWith("{");
      JsonObject json = new JsonObject(line);
      if (String.valueOf(json.getString("formattedMessage")).contains(text)) {
        return Optional.of(json);
      }
    }
    return Optional.empty();
  }
}
