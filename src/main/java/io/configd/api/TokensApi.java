package io.configd.api;

import io.configd.auth.ApiTokens;
import io.configd.model.Addresses;
import io.configd.model.ConfigdException;
import io.configd.model.Environments;
import io.configd.model.Failure;
import io.configd.model.Grant;
import io.configd.model.Principal;
import io.configd.store.TokenStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * POST, GET /v1/tokens and DELETE /v1/tokens/{id}: the tokens configd issues, for admins on every key of
 * every environment. A token's secret is in the creation answer only; listings never show it or its hash.
 */
final class TokensApi {

  static final int MAX_NAME = 128;
  static final int MAX_GRANTS = 100;
  static final Duration MAX_LIFETIME = Duration.ofDays(3660);
  private static final Set<String> FIELDS = Set.of("name", "grants", "expiresIn");
  private static final Pattern NAME = Pattern.compile("[\\x21-\\x7e][\\x20-\\x7e]*");

  private final Vertx vertx;
  private final TokenStore tokens;
  private final Environments environments;
  private final Requests requests;

  TokensApi(Vertx vertx, TokenStore tokens, Environments environments, Requests requests) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.environments = environments;
    this.requests = requests;
  }

  void create(RoutingContext ctx) {
    Principal admin = Authentication.principal(ctx);
    admin.requireRoot("creating tokens");
    JsonObject body = requests.jsonObject(ctx, FIELDS);
    String name = name(body.getValue("name"));
    List<Grant> grants = grants(body.getValue("grants"));
    Instant expiresAt = expiresAt(body.getValue("expiresIn"));
    String token = ApiTokens.generate();
    tokens.create(name, ApiTokens.hash(token), grants, admin.name(), expiresAt)
        .onSuccess(created -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
            .putHeader("Location", "/v1/tokens/" + created.id())
            .end(created.toJson().put("token", token).encode()))
        .onFailure(ctx::fail);
  }

  /** A page as every listing: {items, next}, with limit and the cursor of the previous page's next. */
  void list(RoutingContext ctx) {
    Authentication.principal(ctx).requireRoot("listing tokens");
    int limit = requests.limit(ctx);
    String cursor = requests.cursor(ctx);
    tokens.list(cursor == null ? null : cursorId(cursor), limit)
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          page.items().forEach(token -> items.add(token.toJson()));
          ctx.response().putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("items", items).put("next", Requests.encodeCursor(page.next())).encode());
        })
        .onFailure(ctx::fail);
  }

  /** Revokes at once on this node (and on clustered nodes as the message reaches them), everywhere within the cache time. */
  void revoke(RoutingContext ctx) {
    Authentication.principal(ctx).requireRoot("revoking tokens");
    UUID id = id(ctx.pathParam("id"));
    tokens.revoke(id)
        .map(found -> found.orElseThrow(() -> new ConfigdException(Failure.NOT_FOUND, "no token with id " + id)))
        .onSuccess(revoked -> {
          vertx.eventBus().publish(Addresses.TOKEN_REVOKED, new JsonObject().put("id", id.toString()));
          ctx.response().putHeader("Content-Type", "application/json").end(revoked.toJson().encode());
        })
        .onFailure(ctx::fail);
  }

  private static String name(Object value) {
    if (!(value instanceof String name) || name.isBlank() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
      throw new ConfigdException(Failure.INVALID_BODY, "'name' is required: 1 to " + MAX_NAME
          + " printable ASCII characters, e.g. \"deploy-pipeline\"; it is the actor of the token's changes");
    }
    return name;
  }

  private List<Grant> grants(Object value) {
    if (!(value instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_GRANTS) {
      throw new ConfigdException(Failure.INVALID_BODY, "'grants' is required: a list of 1 to " + MAX_GRANTS
          + " grants, e.g. [{\"env\": \"production\", \"prefix\": \"services.payment\", \"access\": \"read\"}]");
    }
    List<Grant> grants = new ArrayList<>();
    for (Object item : list) {
      Grant grant = Grant.fromJson(item, Failure.INVALID_BODY);
      if (!grant.env().equals(Grant.ANY_ENV) && !environments.names().contains(grant.env())) {
        throw new ConfigdException(Failure.INVALID_BODY, "a grant's env '" + grant.env() + "' is not configured; one of *, "
            + String.join(", ", environments.names()));
      }
      grants.add(grant);
    }
    return grants;
  }

  /** Seconds (a positive whole number) or an ISO-8601 duration such as "PT12H" or "P30D"; absent for no expiry. */
  private static Instant expiresAt(Object value) {
    if (value == null) {
      return null;
    }
    Duration lifetime;
    if (value instanceof Integer || value instanceof Long) {
      lifetime = Duration.ofSeconds(((Number) value).longValue());
    } else if (value instanceof String text) {
      try {
        lifetime = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw invalidExpiry();
      }
    } else {
      throw invalidExpiry();
    }
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw invalidExpiry();
    }
    return Instant.now().plus(lifetime);
  }

  private static ConfigdException invalidExpiry() {
    return new ConfigdException(Failure.INVALID_BODY, "'expiresIn' must be a positive number of seconds or an ISO-8601 "
        + "duration such as \"PT12H\" or \"P30D\", at most " + MAX_LIFETIME.toDays() + " days; leave it out for no expiry");
  }

  private static UUID cursorId(String cursor) {
    try {
      return UUID.fromString(cursor);
    } catch (IllegalArgumentException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "cursor is not one this server returned");
    }
  }

  private static UUID id(String text) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigdException(Failure.NOT_FOUND, "no token with id '" + text + "'; ids are UUIDs from GET /v1/tokens");
    }
  }
}
