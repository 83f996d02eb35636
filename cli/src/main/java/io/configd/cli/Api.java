package io.configd.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** The node's HTTP API as configdctl uses it: one request, its answer, and a refusal turned into a CliFailure. */
final class Api {

  /** An answer with a 2xx status. */
  record Answer(int status, String body, HttpResponse<?> response) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  private static final Duration CONNECT = Duration.ofSeconds(5);
  private static final Duration REQUEST = Duration.ofSeconds(60);

  private final URI base;
  private final String token;
  private final HttpClient http;

  Api(String url, String token) {
    String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    try {
      this.base = URI.create(trimmed);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(ExitCode.USAGE, "the node URL '" + url + "' is not a URL, e.g. http://127.0.0.1:8080");
    }
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** A path with its query, parameters with a null value left out. */
  static String path(String path, Map<String, ?> query) {
    StringJoiner joined = new StringJoiner("&");
    query.forEach((name, value) -> {
      if (value != null) {
        joined.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
      }
    });
    return joined.length() == 0 ? path : path + "?" + joined;
  }

  static Map<String, Object> query(Object... namesAndValues) {
    Map<String, Object> query = new LinkedHashMap<>();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      query.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return query;
  }

  /** GET /ready: its body whether the node is ready (200) or not (503). */
  JsonObject ready() {
    HttpResponse<String> response = exchange(request("/ready").timeout(REQUEST).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200 && response.statusCode() != 503) {
      refuseUnlessOk(response.statusCode(), response.body(), "GET /ready");
    }
    return new JsonObject(response.body());
  }

  Answer get(String path) {
    return send("GET", path, null, null);
  }

  Answer send(String method, String path, String contentType, String body, String... headers) {
    HttpRequest.Builder request = request(path).timeout(REQUEST)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = exchange(request.build(), HttpResponse.BodyHandlers.ofString());
    refuseUnlessOk(response.statusCode(), response.body(), method + " " + path);
    return new Answer(response.statusCode(), response.body(), response);
  }

  /** A streamed GET (Server-Sent Events); the caller reads and closes the body. */
  InputStream stream(String path) {
    HttpRequest request = request(path).header("Accept", "text/event-stream").GET().build();
    HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() / 100 != 2) {
      String body;
      try (InputStream in = response.body()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        body = "";
      }
      refuseUnlessOk(response.statusCode(), body, "GET " + path);
    }
    return response.body();
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path : "/" + path));
    if (token != null && !token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (ConnectException e) {
      throw new CliFailure(ExitCode.UNAVAILABLE, "cannot reach configd at " + base + " (" + e + "); is the node running "
          + "and CONFIGD_URL right?");
    } catch (HttpTimeoutException e) {
      throw new CliFailure(ExitCode.UNAVAILABLE, "configd at " + base + " did not answer in time: " + e.getMessage());
    } catch (IOException e) {
      throw new CliFailure(ExitCode.UNAVAILABLE, "talking to configd at " + base + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(ExitCode.UNAVAILABLE, "interrupted");
    }
  }

  /** A refusal becomes the exit code of its status and the problem's title and detail. */
  private static void refuseUnlessOk(int status, String body, String what) {
    if (status / 100 == 2 || status == 304) {
      return;
    }
    String message = what + " answered " + status;
    try {
      JsonObject problem = new JsonObject(body);
      message = problem.getString("title", "HTTP " + status) + " (" + status + "): " + problem.getString("detail", "");
    } catch (DecodeException | ClassCastException e) {
      // not problem+json: the status says it
    }
    if (status == 401) {
      message += "\n  set CONFIGD_TOKEN (or --token) to a token with access";
    }
    throw new CliFailure(ExitCode.forStatus(status), message);
  }
}
