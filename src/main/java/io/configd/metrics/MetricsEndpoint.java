package io.configd.metrics;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}: on the API port for the metrics token (or, through the API's own authentication, an admin of
 * every key), and on the management port, when there is one, for anyone who reaches it.
 */
public final class MetricsEndpoint {

  public static final String PATH = "/metrics";
  /** The Prometheus text exposition format, version 0.0.4. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

  private final NodeMetrics metrics;
  private final MetricsSettings settings;
  private HttpServer management;

  public MetricsEndpoint(NodeMetrics metrics, MetricsSettings settings) {
    this.metrics = metrics;
    this.settings = settings;
  }

  /** Whether the request carries the dedicated metrics token (compared in constant time). */
  public boolean hasMetricsToken(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    if (settings.token().isEmpty() || authorization == null) {
      return false;
    }
    return MessageDigest.isEqual(authorization.getBytes(StandardCharsets.UTF_8),
        ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8));
  }

  /** Answers with every meter of the node. */
  public void serve(RoutingContext ctx) {
    metrics.scrape()
        .onSuccess(text -> ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(text))
        .onFailure(ctx::fail);
  }

  /** Starts the management port when the settings ask for one. */
  public Future<Void> startManagement(Vertx vertx) {
    if (!settings.managementPort()) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router.get(PATH).handler(this::serve);
    Handler<RoutingContext> health = ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end("{\"status\":\"UP\"}");
    router.get("/health").handler(health);
    return vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(settings.port()))
        .requestHandler(router).listen()
        .onSuccess(server -> {
          management = server;
          LOG.info("Metrics on the management port {}:{}{}", settings.host(), server.actualPort(), PATH);
        })
        .mapEmpty();
  }

  /** The management port's actual port, or -1 without one. */
  public int managementPort() {
    return management == null ? -1 : management.actualPort();
  }

  public Future<Void> close() {
    Future<Void> closed = management == null ? Future.succeededFuture() : management.close();
    return closed.eventually(metrics::close);
  }
}
