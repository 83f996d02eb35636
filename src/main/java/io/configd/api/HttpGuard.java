package io.configd.api;

import io.configd.model.Failure;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP server enforces before the router sees a request: a connection must send a complete request head
 * within {@code http.headerTimeoutMillis} (a slowloris client dribbling bytes is closed; so is a TLS ClientHello, which
 * never ends a line); at most {@code http.maxConnectionsPerAddress} connections per client address, counted across
 * the node's API instances; a Transfer-Encoding other than {@code chunked} is a 400 and the connection closes
 * (RFC 9112 §6.3: the body's length cannot be known); requests the decoder refused (414, 431, 400) and request
 * lines of another HTTP version (505, {@link VersionGuard}) are answered in problem+json. Silent connections are closed by the server's idle timeout ({@code http.idleTimeoutSeconds}).
 * One instance per API verticle instance (one event loop); the connection counts are the node's.
 */
final class HttpGuard {

  private static final Logger LOG = LoggerFactory.getLogger(HttpGuard.class);

  private final Vertx vertx;
  private final ApiSettings settings;
  private final ConcurrentMap<String, AtomicInteger> connections;
  /** The head timer of each connection still waiting for its first request, on this event loop. */
  private final Map<HttpConnection, Long> waiting = new HashMap<>();

  /** @param connections the node's open connections per client address, shared by its API instances */
  HttpGuard(Vertx vertx, ApiSettings settings, ConcurrentMap<String, AtomicInteger> connections) {
    this.vertx = vertx;
    this.settings = settings;
    this.connections = connections;
  }

  /** A node's table of open connections per address. */
  static ConcurrentMap<String, AtomicInteger> connectionTable() {
    return new ConcurrentHashMap<>();
  }

  void connected(HttpConnection connection) {
    VersionGuard.install(connection);
    String address = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
    int open = connections.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
    connection.closeHandler(v -> {
      Long timer = waiting.remove(connection);
      if (timer != null) {
        vertx.cancelTimer(timer);
      }
      connections.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    });
    int max = settings.maxConnectionsPerAddress();
    if (max > 0 && open > max) {
      LOG.info("Refusing a connection from {}: it has {} open, at most {} are allowed (http.maxConnectionsPerAddress)",
          address, open - 1, max);
      connection.close();
      return;
    }
    waiting.put(connection, vertx.setTimer(settings.headerTimeoutMillis(), id -> {
      if (waiting.remove(connection) != null) {
        LOG.debug("Closing a connection from {}: no complete request head within {} ms", address,
            settings.headerTimeoutMillis());
        connection.close();
      }
    }));
  }

  /** Wraps the router: refuses what the router must not see. */
  Handler<HttpServerRequest> requests(Handler<HttpServerRequest> router) {
    return request -> {
      Long timer = waiting.remove(request.connection());
      if (timer != null) {
        vertx.cancelTimer(timer);
      }
      String transferEncoding = request.getHeader("Transfer-Encoding");
      if (transferEncoding != null && !transferEncoding.trim().equalsIgnoreCase("chunked")) {
        refuse(request, Failure.INVALID_REQUEST, "Transfer-Encoding '" + transferEncoding + "' is not supported; "
            + "send the body with Content-Length or Transfer-Encoding: chunked");
        return;
      }
      router.handle(request);
    };
  }

  /** The server's invalidRequestHandler: what Netty's decoder refused, in problem+json. */
  void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof TooLongHttpLineException) {
      refuse(request, Failure.URI_TOO_LONG, "the request line is longer than the " + ApiSettings.MAX_INITIAL_LINE
          + " bytes this server accepts");
    } else if (cause instanceof TooLongHttpHeaderException) {
      refuse(request, Failure.HEADERS_TOO_LARGE, "the request headers are larger than the " + ApiSettings.MAX_HEADER_BYTES
          + " bytes this server accepts");
    } else {
      refuse(request, Failure.INVALID_REQUEST, "the request is not valid HTTP/1.1"
          + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage().lines().findFirst().orElse("")));
    }
  }

  /** Answers and closes the connection: after a request the server could not frame, nothing on it can be trusted. */
  private static void refuse(HttpServerRequest request, Failure failure, String detail) {
    JsonObject problem = new JsonObject().put("type", failure.type()).put("title", failure.title())
        .put("status", failure.status()).put("detail", detail);
    request.response().setStatusCode(failure.status()).putHeader("Content-Type", Problems.CONTENT_TYPE)
        .putHeader("Connection", "close").end(problem.encode())
        .onComplete(done -> request.connection().close());
  }
}
