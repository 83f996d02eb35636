package io.configd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.ApiContract;
import io.configd.TestNodeExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAPI document: served, complete (every route the router serves is in it), and true (TestNode checks every
 * answer it receives against it, in every test, through ApiContract; here a few on purpose).
 */
@DisplayName("The OpenAPI document")
class OpenApiTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("OpenApiTest");

  /** Handlers of every /v1 route (authentication, body parsing) rather than routes of their own. */
  private static final Set<String> MIDDLEWARE = Set.of("/v1/*", "/v1/");

  @Test
  @DisplayName("is served at /openapi.json without a token, as OpenAPI 3.1, and every $ref in it resolves")
  void served() {
    HttpResponse<Buffer> response = NODE.node().as(null).get("/openapi.json");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    JsonObject document = response.bodyAsJsonObject();
    assertThat(document.getString("openapi")).isEqualTo("3.1.0");
    Set<String> schemas = document.getJsonObject("components").getJsonObject("schemas").fieldNames();
    Matcher refs = Pattern.compile("\"\\$ref\":\"#/components/schemas/([A-Za-z]+)\"").matcher(document.encode());
    while (refs.find()) {
      assertThat(schemas).as("a $ref to a schema the document defines").contains(refs.group(1));
    }
  }

  @Test
  @DisplayName("names every route the node's router serves, with each of its methods")
  void everyRouteIsDocumented() {
    JsonObject paths = ApiContract.instance().document().getJsonObject("paths");
    List<String> missing = new ArrayList<>();
    List<Route> routes = NODE.node().node().routes();
    assertThat(routes).hasSizeGreaterThan(30);
    for (Route route : routes) {
      // a route's name is its path as declared (/v1/config/:key, /console/*) or its regex (^…$)
      String name = route.getName() != null ? route.getName() : route.getPath();
      if (name == null || MIDDLEWARE.contains(name)) {
        continue;
      }
      if (name.startsWith("^")) {
        Pattern regex = Pattern.compile(route.getName());
        boolean documented = paths.stream().map(path -> ((JsonObject) path.getValue()).getString("x-configd-example"))
            .anyMatch(example -> example != null && regex.matcher(example).matches());
        if (!documented) {
          missing.add("regex " + route.getName() + " (give its path an x-configd-example it matches)");
        }
        continue;
      }
      String template = name.replaceAll(":([A-Za-z]+)", "{$1}");
      JsonObject item = documentedItem(paths, template);
      Set<HttpMethod> methods = route.methods() == null || route.methods().isEmpty() ? Set.of(HttpMethod.GET)
          : route.methods();
      for (HttpMethod method : methods) {
        if (item == null || !item.containsKey(method.name().toLowerCase())) {
          missing.add(method + " " + template);
        }
      }
    }
    assertThat(missing).as("routes the router serves that openapi.json does not document").isEmpty();
  }

  /** The path item of a template; a wildcard route (/console/*) is any documented path under it. */
  private static JsonObject documentedItem(JsonObject paths, String template) {
    if (template.endsWith("/*") || template.endsWith("/")) { // a wildcard route: its path is its prefix
      String base = template.endsWith("/*") ? template.substring(0, template.length() - 1) : template;
      return paths.stream().filter(path -> path.getKey().startsWith(base) && path.getKey().length() > base.length())
          .map(path -> (JsonObject) path.getValue()).findFirst().orElse(null);
    }
    return paths.getJsonObject(template);
  }

  @Test
  @DisplayName("refuses an answer that does not fit it: an undocumented status or a body missing a required member")
  void theCheckBites() {
    NODE.node().put("openapi.k", "production", 1);
    HttpResponse<Buffer> entry = NODE.node().get("/v1/config/openapi.k?env=production");
    assertThat(entry.statusCode()).isEqualTo(200);
    // the same answer, claimed for an operation whose schema it does not fit
    assertThat(catching(() -> ApiContract.instance().check(HttpMethod.GET, "/v1/whoami", entry)))
        .contains("does not validate against openapi.json");
    assertThat(catching(() -> ApiContract.instance().check(HttpMethod.POST, "/v1/tokens", entry)))
        .contains("a status openapi.json does not document");
  }

  private static String catching(Runnable check) {
    try {
      check.run();
      return "no failure";
    } catch (AssertionError e) {
      return e.getMessage();
    }
  }
}
