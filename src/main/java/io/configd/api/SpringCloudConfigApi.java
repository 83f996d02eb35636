package io.configd.api;

import io.configd.model.Access;
import io.configd.model.ConfigValue;
import io.configd.model.Environments;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.configd.model.SpringProperties;
import io.configd.springcloud.SpringCloudSettings;
import io.configd.secrets.Secrets;
import io.configd.store.ConfigStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Spring Cloud Config Server's read routes, under {@code spring.basePath} (/config), so that a Spring app
 * changes nothing but its URL: {@code GET /config/{application}/{profiles}[/{label}]} answers the Environment JSON,
 * {@code GET /config/[{label}/]{application}-{profiles}.yml|.yaml|.properties|.json} the merged properties.
 *
 * <p>A profile is an environment; a profile that is not a configured environment contributes nothing (as a Config
 * Server has no file for it: Spring asks for {@code default} before it activates the profiles).
 * The application's keys are read under its prefix and the shared defaults under the prefix of {@code application},
 * each named relative to its prefix by {@link SpringProperties}. Precedence is Spring Cloud Config's: the last profile
 * wins, and within a profile the application wins over the shared defaults. {@code version} is the revision every
 * source is complete up to. The label is echoed and otherwise ignored: configd keeps one line of history per key.
 * Read only: nothing here writes. Authentication by {@code Authorization: Bearer}, {@code X-Config-Token} (the Spring
 * Cloud Config client's {@code spring.cloud.config.token}) or Basic with the token as the password; the token needs
 * read on every prefix served.
 */
final class SpringCloudConfigApi {

  private static final int PAGE = 1000;
  private static final String FILE = "^%s/(?:([^/]+)/)?([^/]+)-([^/]+)\\.(yml|yaml|properties|json)$";

  private final SpringCloudSettings settings;
  private final Environments environments;
  private final ConfigStore store;
  private final Authentication authentication;
  private final Secrets secrets;

  /** @param secrets a secret's property is its clear value for a principal with secret access, else the mask */
  SpringCloudConfigApi(SpringCloudSettings settings, Environments environments, ConfigStore store,
                       Authentication authentication, Secrets secrets) {
    this.secrets = secrets;
    this.settings = settings;
    this.environments = environments;
    this.store = store;
    this.authentication = authentication;
  }

  void mount(Router router) {
    String base = settings.basePath();
    String quoted = java.util.regex.Pattern.quote(base);
    router.routeWithRegex(HttpMethod.GET, String.format(FILE, base.isEmpty() ? "" : quoted))
        .handler(ctx -> authentication.handle(ctx, authorization(ctx)))
        .handler(this::file);
    router.get(base + "/:application/:profiles").handler(ctx -> authentication.handle(ctx, authorization(ctx)))
        .handler(ctx -> environment(ctx, null));
    router.get(base + "/:application/:profiles/:label").handler(ctx -> authentication.handle(ctx, authorization(ctx)))
        .handler(ctx -> environment(ctx, ctx.pathParam("label")));
  }

  /** Bearer as everywhere; else the Spring Cloud Config client's token header; else Basic with the token as password. */
  static String authorization(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token = ctx.request().getHeader("X-Config-Token");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return header;
      }
      int colon = decoded.indexOf(':');
      return colon < 0 ? header : "Bearer " + decoded.substring(colon + 1);
    }
    if (header == null && token != null && !token.isBlank()) {
      return "Bearer " + token.trim();
    }
    return header;
  }

  private void environment(RoutingContext ctx, String label) {
    String application = ctx.pathParam("application");
    String profiles = ctx.pathParam("profiles");
    build(ctx, application, profiles, label)
        .onSuccess(answer -> ctx.response().putHeader("Content-Type", "application/json").end(answer.toJson().encode()))
        .onFailure(ctx::fail);
  }

  private void file(RoutingContext ctx) {
    String label = ctx.pathParam("param0");
    String application = ctx.pathParam("param1");
    String profiles = ctx.pathParam("param2");
    String extension = ctx.pathParam("param3");
    build(ctx, application, profiles, label).onSuccess(answer -> {
      switch (extension) {
        case "properties" -> ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(answer.toProperties());
        case "json" -> ctx.response().putHeader("Content-Type", "application/json").end(answer.toNestedJson().encode());
        default -> ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(answer.toYaml());
      }
    }).onFailure(ctx::fail);
  }

  private record Part(String env, String application, KeyPrefix prefix) {
  }

  /** The sources, highest first: for each profile from the last, the application's, then the shared defaults. */
  private Future<SpringEnvironment> build(RoutingContext ctx, String application, String profileList, String label) {
    List<String> profiles = Arrays.stream(profileList.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList();
    List<String> envs = profiles.stream().filter(environments.names()::contains).distinct().toList();
    KeyPrefix own = settings.prefixOf(application);
    KeyPrefix shared = settings.prefixOf(SpringCloudSettings.SHARED_APPLICATION);
    List<Part> parts = new ArrayList<>();
    for (int i = envs.size() - 1; i >= 0; i--) {
      parts.add(new Part(envs.get(i), application, own));
      if (!own.equals(shared)) {
        parts.add(new Part(envs.get(i), SpringCloudSettings.SHARED_APPLICATION, shared));
      }
    }
    Principal principal = Authentication.principal(ctx);
    parts.forEach(part -> principal.requireAll(Access.READ, part.env(), part.prefix().value()));
    List<Future<Read>> reads = parts.stream().map(part -> read(part.env(), part.prefix(), "", new HashMap<>(),
        Long.MAX_VALUE, principal)).toList();
    if (parts.isEmpty()) {
      // As a Config Server answers a profile it has no file for (and Spring asks for "default" before the profiles
      // are active): no source, not an error.
      return store.headRevision().map(head -> new SpringEnvironment(application, profiles, label, head, List.of()));
    }
    return Future.all(reads).map(all -> {
      List<SpringEnvironment.Source> sources = new ArrayList<>();
      long version = Long.MAX_VALUE;
      for (int i = 0; i < parts.size(); i++) {
        Part part = parts.get(i);
        Read read = reads.get(i).result();
        version = Math.min(version, read.revision());
        Map<String, Object> properties = SpringProperties.of(read.values(), part.prefix().value());
        if (!properties.isEmpty()) {
          sources.add(new SpringEnvironment.Source("configd:" + part.application() + "-" + part.env(), properties));
        }
      }
      return new SpringEnvironment(application, profiles, label, version, sources);
    });
  }

  private record Read(Map<String, Object> values, long revision) {
  }

  /** Every current value under the prefix, paged (after "" first); complete up to the lowest revision of its pages. */
  private Future<Read> read(String env, KeyPrefix prefix, String after, Map<String, Object> values, long revision,
                            Principal principal) {
    return store.snapshot(env, prefix, after, PAGE).compose(page -> {
      for (ConfigValue value : page.items()) {
        if (!value.deleted()) {
          values.put(value.key(), secrets.forReader(value, principal).value());
        }
      }
      long complete = Math.min(revision, page.revision());
      return page.next() == null ? Future.succeededFuture(new Read(values, complete))
          : read(env, prefix, page.next(), values, complete, principal);
    });
  }
}
