package io.configd.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console at /console: static assets the build bundles into the jar (console/ in the sources), served
 * under a strict Content-Security-Policy. The page calls the public API and the bridge with the signed-in
 * person's token, so it never holds more rights than that person; nothing here checks a token.
 */
final class Console {

  /** Own scripts, styles and connections only: no inline script or style, no eval, no frames, no plug-ins. */
  static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  private Console() {
  }

  static void mount(Router router) {
    router.getWithRegex("/console").handler(ctx -> ctx.redirect("/console/"));
    router.route("/console/*").handler(Console::secure);
    router.route("/console/*").handler(StaticHandler.create("console")
        .setIndexPage("index.html")
        .setDefaultContentEncoding("UTF-8")
        // the bundle's names do not change between builds: a browser revalidates instead of trusting its copy
        .setCachingEnabled(false)
        .setDirectoryListing(false));
  }

  private static void secure(RoutingContext ctx) {
    ctx.response().headers()
        .set("Content-Security-Policy", POLICY)
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Frame-Options", "DENY")
        .set("Cross-Origin-Opener-Policy", "same-origin")
        .set(HttpHeaders.CACHE_CONTROL, "no-cache");
    ctx.next();
  }
}
