package io.configd.client;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.configd.model.Instance;
import io.configd.model.InstanceAck;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A node's HTTP API as a source, for when its bridge cannot be reached: /v1/changes for catch-up and
 * /v1/config listings for a first load. A listing carries no revision, so each page first reads the head
 * revision; the values listed after it hold every change up to it at least.
 */
final class HttpSource implements Source {

  private static final int LIMIT = 1000;

  private final HttpClient http;
  private final NodeAddress node;
  private final long timeoutMillis;
  private final String authorization;
  /** Sent on every request: a node lists an instance that reads over HTTP as one that subscribes. */
  private final Instance instance;

  HttpSource(HttpClient http, NodeAddress node, ClientSettings settings) {
    this.http = http;
    this.node = node;
    this.timeoutMillis = settings.requestTimeout().toMillis();
    this.authorization = settings.authorization();
    this.instance = settings.instance();
  }

  Future<Void> health() {
    return get("/health").mapEmpty();
  }

  @Override
  public Future<SnapshotPage> snapshot(Watch watch, String after) {
    String listing = "/v1/config?" + query(watch) + "&limit=" + LIMIT + (after == null ? "" : "&cursor=" + encode(after));
    return head(watch)
        .compose(head -> get(listing).map(page -> new SnapshotPage(Pages.items(page.getJsonArray("items")),
            head.getLong("head"), head.getLong("epoch", 0L), page.getString("next"))));
  }

  /** The head and the epoch, from a changes page after a revision the node keeps (retention may have pruned 0). */
  private Future<JsonObject> head(Watch watch) {
    String changes = "/v1/changes?" + query(watch) + "&limit=1&since=";
    return get(changes + 0).recover(failure -> failure instanceof SnapshotRequiredException pruned
        && pruned.oldestRevision() > 0 ? get(changes + (pruned.oldestRevision() - 1)) : Future.failedFuture(failure));
  }

  @Override
  public Future<ChangesPage> changes(Watch watch, long since) {
    return get("/v1/changes?" + query(watch) + "&since=" + since + "&limit=" + LIMIT).map(Pages::changes);
  }

  @Override
  public Future<Void> ack(InstanceAck ack) {
    return send(HttpMethod.POST, "/v1/acks", ack.toJson().toBuffer()).mapEmpty();
  }

  @Override
  public NodeAddress node() {
    return node;
  }

  private Future<JsonObject> get(String uri) {
    return send(HttpMethod.GET, uri, null);
  }

  private Future<JsonObject> send(HttpMethod method, String uri, Buffer payload) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(node.host()).setPort(node.port())
        .setSsl(node.ssl()).setURI(node.basePath() + uri).setConnectTimeout(timeoutMillis).setTimeout(timeoutMillis);
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    if (instance != null) {
      options.putHeader("X-Configd-Instance", instance.id());
      if (instance.app() != null) {
        options.putHeader("X-Configd-App", instance.app());
      }
      if (!instance.labels().isEmpty()) {
        options.putHeader("X-Configd-Labels", instance.labelsText());
      }
    }
    if (payload != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return http.request(options)
        .compose(request -> payload == null ? request.send() : request.send(payload))
        .compose(response -> response.body().map(body -> {
          int status = response.statusCode();
          if (status >= 200 && status < 300) {
            return body.toJsonObject();
          }
          String detail = problemDetail(body.toString());
          if (status == 410) {
            throw new SnapshotRequiredException(node + " answered " + method + " " + uri + " with 410: " + detail,
                oldestRevision(body.toString()));
          }
          if (status >= 400 && status < 500 && status != 408 && status != 429) {
            throw new RejectedException(node + " rejected " + method + " " + uri + " (" + status + "): " + detail);
          }
          throw new ConfigClientException(node + " answered " + method + " " + uri + " with " + status + ": " + detail);
        }));
  }

  private static String problemDetail(String body) {
    try {
      JsonObject problem = new JsonObject(body);
      return problem.getString("detail", problem.getString("title", body));
    } catch (RuntimeException e) {
      return body.length() > 200 ? body.substring(0, 200) : body;
    }
  }

  /** The oldestRevision member of a revision-compacted problem, or 0. */
  private static long oldestRevision(String body) {
    try {
      return new JsonObject(body).getLong("oldestRevision", 0L);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static String query(Watch watch) {
    return "env=" + encode(watch.env()) + "&prefix=" + encode(watch.prefix());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
