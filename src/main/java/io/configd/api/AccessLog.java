package io.configd.api;

import io.configd.auth.ClientAddresses;
import io.configd.model.Principal;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every route: gives the request its id (the client's {@code X-Request-Id} when it is a sane
 * one, else a new UUID), echoes it in the response, and when the response is sent writes one access log line
 * (logger {@code io.configd.access}) with the id, method, path, status, duration, bytes, client address and principal.
 * The query string is left out of the line; /health and /ready are logged at debug.
 */
final class AccessLog {

  static final String HEADER = "X-Request-Id";
  private static final String KEY = "configd.requestId";
  private static final String ARRIVED = "configd.arrivedNanos";
  private static final Logger LOG = LoggerFactory.getLogger("io.configd.access");
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:+=@/-]{1,128}");

  private final boolean enabled;
  private final ClientAddresses addresses;

  AccessLog(boolean enabled, ClientAddresses addresses) {
    this.enabled = enabled;
    this.addresses = addresses;
  }

  void handle(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id = given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
    long started = System.nanoTime();
    ctx.put(KEY, id);
    ctx.put(ARRIVED, started);
    ctx.response().putHeader(HEADER, id);
    if (enabled) {
      ctx.addEndHandler(ended -> log(ctx, id, (System.nanoTime() - started) / 1_000_000));
    }
    ctx.next();
  }

  /** When the request reached its first handler (System.nanoTime), for the write stages' timing. */
  static long arrivedNanos(RoutingContext ctx) {
    Long arrived = ctx.get(ARRIVED);
    return arrived == null ? System.nanoTime() : arrived;
  }

  /** The request's id; null outside the router (never for a routed request). */
  static String id(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  private void log(RoutingContext ctx, String id, long millis) {
    String path = ctx.request().path();
    boolean probe = "/health".equals(path) || "/ready".equals(path);
    if (probe ? !LOG.isDebugEnabled() : !LOG.isInfoEnabled()) {
      return;
    }
    Principal principal = Authentication.principal(ctx);
    String client = addresses.of(ctx);
    int status = ctx.response().getStatusCode();
    long bytes = ctx.response().bytesWritten();
    (probe ? LOG.atDebug() : LOG.atInfo())
        .addKeyValue("requestId", id).addKeyValue("method", ctx.request().method().name()).addKeyValue("path", path)
        .addKeyValue("status", status).addKeyValue("millis", millis).addKeyValue("bytes", bytes)
        .addKeyValue("client", client).addKeyValue("principal", principal == null ? null : principal.name())
        .log("{} {} {} {} ms {} B client={} principal={} id={}", ctx.request().method(), path, status, millis, bytes,
            client, principal == null ? "-" : principal.name(), id);
  }
}
