package io.configd.chaos;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The workload's HTTP calls to a node, answering what happened (an exception is "no answer", status -1). */
final class Api {

  static final String ENV = "production";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String token;

  Api(String token) {
    this.token = token;
  }

  /** A CAS write: If-Match on the expected version, If-None-Match: * when it expects the key absent (0). */
  Answer put(String nodeUrl, String key, int expect, JsonObject value) {
    HttpRequest.Builder request = request(nodeUrl + "/v1/config/" + key + "?env=" + ENV)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("value", value).encode()));
    if (expect == 0) {
      request.header("If-None-Match", "*");
    } else {
      request.header("If-Match", "\"" + expect + "\"");
    }
    return send(request.build());
  }

  Answer get(String nodeUrl, String key) {
    return send(request(nodeUrl + "/v1/config/" + key + "?env=" + ENV).GET().build());
  }

  Answer post(String nodeUrl, String path, JsonObject body) {
    return send(request(nodeUrl + path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  Answer getPath(String nodeUrl, String path) {
    return send(request(nodeUrl + path).GET().build());
  }

  private HttpRequest.Builder request(String uri) {
    return HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT).header("Authorization", "Bearer " + token);
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonObject body = null;
      try {
        body = response.body().isEmpty() ? null : new JsonObject(response.body());
      } catch (RuntimeException e) {
        // not JSON: the status says enough
      }
      return new Answer(response.statusCode(), body, null);
    } catch (IOException e) {
      return new Answer(-1, null, e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, null, "interrupted");
    }
  }

  /** A node's answer; status -1 when none came (timeout, refused, reset). */
  record Answer(int status, JsonObject body, String error) {
  }
}
