package io.configd.api;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.RateLimitedException;
import io.configd.store.Failures;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become RFC 9457 application/problem+json responses. */
final class Problems {

  static final String CONTENT_TYPE = "application/problem+json";
  /** The Retry-After of a 503: a dependency down or a pool full of busy connections is usually back within seconds. */
  static final String UNAVAILABLE_RETRY_AFTER_SECONDS = "1";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {
  }

  /** Failure handler of every route: a thrown or failed ConfigdException, a bus failure, or a bare status. */
  static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure == null) {
      send(ctx, forStatus(ctx.statusCode()), detailForStatus(ctx));
      return;
    }
    if (failure instanceof RateLimitedException e) {
      ctx.response().putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
      send(ctx, e.failure(), e.getMessage());
      return;
    }
    if (failure instanceof DecodeException) {
      send(ctx, Failure.INVALID_BODY, "the request body is not valid JSON: " + failure.getMessage());
      return;
    }
    ConfigdException problem = Failures.classify(failure);
    if (problem.failure() == Failure.INTERNAL && ctx.statusCode() == 413) {
      send(ctx, Failure.VALUE_TOO_LARGE, detailForStatus(ctx));
      return;
    }
    if (problem.failure() == Failure.INTERNAL) {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    } else if (problem != failure && !(failure instanceof ReplyException e && e.failureType() == ReplyFailure.RECIPIENT_FAILURE)) {
      LOG.warn("{} {}: a dependency is unavailable: {}", ctx.request().method(), ctx.request().path(), failure.toString());
    }
    send(ctx, problem.failure(), problem.getMessage(), problem.members());
  }

  static void send(RoutingContext ctx, Failure failure, String detail) {
    send(ctx, failure, detail, new JsonObject());
  }

  /** @param members extension members, after the standard ones (which they cannot replace) */
  static void send(RoutingContext ctx, Failure failure, String detail, JsonObject members) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (failure == Failure.UNAUTHORIZED) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"configd\"");
    }
    if (failure == Failure.UNAVAILABLE && !ctx.response().headers().contains("Retry-After")) {
      ctx.response().putHeader("Retry-After", UNAVAILABLE_RETRY_AFTER_SECONDS);
    }
    JsonObject problem = new JsonObject()
        .put("type", failure.type())
        .put("title", failure.title())
        .put("status", failure.status())
        .put("detail", detail)
        .put("instance", ctx.request().path());
    members.forEach(member -> {
      if (!problem.containsKey(member.getKey())) {
        problem.put(member.getKey(), member.getValue());
      }
    });
    if (AccessLog.id(ctx) != null) {
      problem.put("requestId", AccessLog.id(ctx));
    }
    ctx.response()
        .setStatusCode(failure.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(problem.encode());
  }

  private static Failure forStatus(int status) {
    return switch (status) {
      case 400 -> Failure.INVALID_BODY;
      case 404 -> Failure.NOT_FOUND;
      case 405 -> Failure.METHOD_NOT_ALLOWED;
      case 413 -> Failure.VALUE_TOO_LARGE;
      case 415 -> Failure.UNSUPPORTED_MEDIA_TYPE;
      case 503 -> Failure.UNAVAILABLE;
      default -> Failure.INTERNAL;
    };
  }

  private static String detailForStatus(RoutingContext ctx) {
    return switch (ctx.statusCode()) {
      case 404 -> "no resource at " + ctx.request().path() + "; see the README for the API";
      case 405 -> ctx.request().method() + " is not allowed on " + ctx.request().path();
      case 413 -> "the request body is larger than this server accepts";
      default -> "the request failed with status " + ctx.statusCode();
    };
  }
}
