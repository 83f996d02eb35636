package io.configd.api;

import io.configd.model.Failure;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumMap;
import java.util.Map;

/**
 * GET /problems/{slug}: the page a problem's {@code type} URI resolves to (RFC 9457 §3.1.1), one per {@link Failure},
 * plain HTML with no script, served without a token; GET /problems lists them all.
 */
final class ProblemPages {

  private static final Map<Failure, String> WHEN = new EnumMap<>(Failure.class);

  static {
    WHEN.put(Failure.INVALID_KEY, "The key breaks the grammar: dot-separated segments of [A-Za-z0-9_-], no empty "
        + "segment, at most 256 characters.");
    WHEN.put(Failure.UNKNOWN_ENVIRONMENT, "env is missing or is not one of the deployment's environments (400, not "
        + "404: the request is malformed, no resource is missing).");
    WHEN.put(Failure.INVALID_BODY, "Malformed JSON, not an object, a required member missing or null, a wrong type, "
        + "or an unknown member (rejected, not ignored, so that a typo never passes silently).");
    WHEN.put(Failure.INVALID_PARAMETER, "A query parameter or header that cannot be read: a non-numeric version, "
        + "If-Match, limit, since, cursor or format.");
    WHEN.put(Failure.INVALID_SCHEMA, "The schema document is not a JSON Schema of draft 2020-12 (or names another "
        + "draft in $schema); the detail names what is wrong. Nothing was changed.");
    WHEN.put(Failure.SCHEMA_VIOLATION, "A value does not satisfy the JSON Schema of the nearest prefix above its key "
        + "(or a schema change would refuse current values, with enforce=existing); the member errors lists each failing "
        + "key, instance location and rule. Nothing was written.");
    WHEN.put(Failure.INVALID_INSTANCE, "An instance's identity or ack that breaks its grammar: an instance id or app "
        + "that is not 1 to 128 characters of letters, digits and _ . : @ -, a label name or value outside the "
        + "Kubernetes label grammar (63 characters at most), more than 32 labels, a label that is not a string, or an "
        + "ack whose revision, failures or versions are not whole numbers.");
    WHEN.put(Failure.UNAUTHORIZED, "No token, a malformed Authorization header, or an unknown, revoked, expired or "
        + "forged token.");
    WHEN.put(Failure.FORBIDDEN, "Authenticated, but the token's grants do not allow this; the detail names the "
        + "access, environment and key missing.");
    WHEN.put(Failure.NOT_FOUND, "No such key, version, token or route.");
    WHEN.put(Failure.METHOD_NOT_ALLOWED, "The route exists but not with this method.");
    WHEN.put(Failure.CONFLICT, "The request contradicts the current state, e.g. rolling back to a deletion.");
    WHEN.put(Failure.SNAPSHOT_REQUIRED, "A watch resuming from a revision this server does not hold: take a "
        + "snapshot and watch from its revision.");
    WHEN.put(Failure.REVISION_COMPACTED, "The changes after the revision asked for were pruned by retention; the "
        + "problem's oldestRevision is the oldest kept: take a snapshot and continue from its revision.");
    WHEN.put(Failure.PRECONDITION_FAILED, "If-Match / If-None-Match (or a transaction's expect) does not hold: "
        + "someone changed the key meanwhile; read it again.");
    WHEN.put(Failure.VALUE_TOO_LARGE, "The value or the request body is over the configured limit.");
    WHEN.put(Failure.UNSUPPORTED_MEDIA_TYPE, "A body that is not application/json.");
    WHEN.put(Failure.TOO_MANY_REQUESTS, "Over a rate limit; Retry-After says when to try again.");
    WHEN.put(Failure.UNAVAILABLE, "PostgreSQL or an internal service is unreachable; nothing was changed, retry later.");
    WHEN.put(Failure.INTERNAL, "A bug in configd: it is logged with its stack trace.");
  }

  private ProblemPages() {
  }

  static void mount(Router router) {
    router.get("/problems").handler(ProblemPages::index);
    router.get("/problems/:slug").handler(ProblemPages::page);
  }

  private static void page(RoutingContext ctx) {
    String slug = ctx.pathParam("slug");
    for (Failure failure : Failure.values()) {
      if (failure.slug().equals(slug)) {
        html(ctx, failure.title(), "<p>HTTP status " + failure.status() + ", problem type <code>" + failure.type()
            + "</code>.</p>\n<p>" + when(failure) + "</p>\n"
            + "<p>Every error of the configd API is application/problem+json (RFC 9457); its <code>detail</code> says "
            + "what was wrong and what is allowed. <a href=\"/problems\">All problem types</a>.</p>");
        return;
      }
    }
    ctx.next(); // no such type: the router's 404 problem
  }

  private static void index(RoutingContext ctx) {
    StringBuilder list = new StringBuilder("<ul>\n");
    for (Failure failure : Failure.values()) {
      list.append("<li><a href=\"").append(failure.type()).append("\">").append(failure.slug()).append("</a> (")
          .append(failure.status()).append("): ").append(when(failure)).append("</li>\n");
    }
    html(ctx, "configd problem types", list.append("</ul>").toString());
  }

  /** When the problem is answered, as HTML; its title where the table has no sentence for it. */
  private static String when(Failure failure) {
    return escape(WHEN.getOrDefault(failure, failure.title()));
  }

  private static void html(RoutingContext ctx, String title, String body) {
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy", "default-src 'none'")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
            + "</title></head>\n<body><h1>" + escape(title) + "</h1>\n" + body + "\n</body></html>\n");
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
