package io.configd.api;

import io.configd.guard.Approvals;
import io.configd.guard.Guards;
import io.configd.guard.RuleChanges;
import io.configd.model.Access;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigdException;
import io.configd.model.Environments;
import io.configd.model.Failure;
import io.configd.model.Grant;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.configd.store.GuardRule;
import io.configd.store.GuardStore;
import io.configd.store.Page;
import io.configd.store.PendingChange;
import io.configd.store.TxnResult;
import io.configd.model.ConfigValue;
import io.configd.secrets.Secrets;
import io.configd.store.ConfigStore;
import io.vertx.core.json.Json;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The guards of the write path (issue 17 items 1-2): JSON Schemas per prefix ({@code /v1/schemas}), approval
 * policies ({@code /v1/policies}) and the changes they hold ({@code /v1/pending}). Schemas and policies need admin on
 * every key under their prefix (in every environment for one without {@code env}); reading them, read on something
 * under it. Approving needs approve on every key of the change, and another name than its author's.
 */
final class GuardsApi {

  private static final Set<String> SCHEMA_FIELDS = Set.of("schema", "comment");
  private static final Set<String> POLICY_FIELDS = Set.of("requireApproval", "expiresIn", "approvals",
      "comment");
  private static final Set<String> REJECT_FIELDS = Set.of("reason");
  private static final Duration MAX_EXPIRY = Duration.ofDays(366);
  private static final Set<String> STATUSES = Set.of("pending", "approved", "rejected", "expired", "all");

  private final Requests requests;
  private final Environments environments;
  private final RuleChanges rules;
  private final GuardStore store;
  private final Approvals approvals;
  private final Authentication authentication;
  private final Function<ConfigValue, Future<ConfigValue>> cachedValue;
  private final Function<TxnResult, Future<TxnResult>> cachedTxn;
  private final ConfigStore values;
  private final Secrets secrets;

  /**
   * @param cachedValue, cachedTxn tell this node's cache of what an approval committed (read-your-writes)
   * @param values, secrets        reveal a pending secret (and the version it replaces) to a reader with secret access
   */
  GuardsApi(Requests requests, Environments environments, Guards guards, Approvals approvals,
            Authentication authentication, Function<ConfigValue, Future<ConfigValue>> cachedValue,
            Function<TxnResult, Future<TxnResult>> cachedTxn, ConfigStore values, Secrets secrets) {
    this.requests = requests;
    this.environments = environments;
    this.rules = new RuleChanges(guards);
    this.store = guards.store();
    this.approvals = approvals;
    this.authentication = authentication;
    this.cachedValue = cachedValue;
    this.cachedTxn = cachedTxn;
    this.values = values;
    this.secrets = secrets;
  }

  void mount(Router router) {
    router.get("/v1/schemas").handler(ctx -> listRules(ctx, true));
    router.put("/v1/schemas/:prefix").handler(this::putSchema);
    router.get("/v1/schemas/:prefix").handler(ctx -> getRule(ctx, true));
    router.delete("/v1/schemas/:prefix").handler(ctx -> deleteRule(ctx, true));
    router.get("/v1/schemas/:prefix/versions").handler(ctx -> versions(ctx, true));
    router.get("/v1/policies").handler(ctx -> listRules(ctx, false));
    router.put("/v1/policies/:prefix").handler(this::putPolicy);
    router.get("/v1/policies/:prefix").handler(ctx -> getRule(ctx, false));
    router.delete("/v1/policies/:prefix").handler(ctx -> deleteRule(ctx, false));
    router.get("/v1/policies/:prefix/versions").handler(ctx -> versions(ctx, false));
    router.get("/v1/audit/rules").handler(this::ruleAudit);
    router.get("/v1/pending").handler(this::listPending);
    router.get("/v1/pending/:id").handler(this::getPending);
    router.post("/v1/pending/:id/approve").handler(this::approve);
    router.post("/v1/pending/:id/reject").handler(this::reject);
  }

  private void putSchema(RoutingContext ctx) {
    String prefix = prefix(ctx);
    String env = scopeEnv(ctx);
    Principal principal = mayManage(ctx, prefix, env);
    boolean enforce = enforceExisting(ctx);
    JsonObject body = requests.jsonObject(ctx, SCHEMA_FIELDS);
    if (!(body.getValue("schema") instanceof JsonObject document)) {
      throw new ConfigdException(Failure.INVALID_BODY, "'schema' is required: a JSON Schema (draft 2020-12) as an "
          + "object");
    }
    String comment = comment(body.getValue("comment"));
    rules.putSchema(prefix, env, document, comment, principal.name(), enforce, environments(env))
        .onSuccess(answer -> json(ctx, answer.getInteger("version") == 1 ? 201 : 200, answer))
        .onFailure(ctx::fail);
  }

  private void putPolicy(RoutingContext ctx) {
    String prefix = prefix(ctx);
    String env = scopeEnv(ctx);
    Principal principal = mayManage(ctx, prefix, env);
    JsonObject body = requests.jsonObject(ctx, POLICY_FIELDS);
    if (!(body.getValue("requireApproval") instanceof Boolean required)) {
      throw new ConfigdException(Failure.INVALID_BODY, "'requireApproval' is required: true (writes under the prefix "
          + "wait for approval) or false (they do not, whatever a shorter prefix's policy says)");
    }
    Long expiresInMs = expiry(body.getValue("expiresIn"));
    Object approvals = body.getValue("approvals");
    if (approvals != null && !(approvals instanceof Integer n && n >= 1 && n <= 10)) {
      throw new ConfigdException(Failure.INVALID_BODY, "'approvals' must be an integer from 1 to 10: how many "
          + "principals other than the author must approve a held change (1 when left out), not " + approvals);
    }
    rules.putPolicy(prefix, env, required, expiresInMs, (Integer) approvals, comment(body.getValue("comment")),
            principal.name())
        .onSuccess(rule -> json(ctx, rule.version() == 1 ? 201 : 200, rule.policyJson()))
        .onFailure(ctx::fail);
  }

  private void deleteRule(RoutingContext ctx, boolean schema) {
    String prefix = prefix(ctx);
    String env = scopeEnv(ctx);
    Principal principal = mayManage(ctx, prefix, env);
    rules.remove(schema, prefix, env, requests.comment(ctx.request().getParam("comment")), principal.name())
        .onSuccess(rule -> json(ctx, 200, schema ? rule.schemaJson() : rule.policyJson()))
        .onFailure(ctx::fail);
  }

  private void getRule(RoutingContext ctx, boolean schema) {
    String prefix = prefix(ctx);
    String env = scopeEnv(ctx);
    Authentication.principal(ctx).readableUnder(env, KeyPrefix.parse(prefix));
    store.versions(schema, prefix, env, Integer.MAX_VALUE, 1)
        .map(page -> {
          if (page.items().isEmpty() || !page.items().get(0).present()) {
            throw notFound(schema, prefix, env);
          }
          return schema ? page.items().get(0).schemaJson() : page.items().get(0).policyJson();
        })
        .onSuccess(rule -> json(ctx, 200, rule))
        .onFailure(ctx::fail);
  }

  private void versions(RoutingContext ctx, boolean schema) {
    String prefix = prefix(ctx);
    String env = scopeEnv(ctx);
    Authentication.principal(ctx).readableUnder(env, KeyPrefix.parse(prefix));
    int limit = requests.limit(ctx);
    String cursor = requests.cursor(ctx);
    int before = cursor == null ? Integer.MAX_VALUE : version(cursor);
    store.versions(schema, prefix, env, before, limit)
        .map(page -> {
          if (page.items().isEmpty() && cursor == null) {
            throw notFound(schema, prefix, env);
          }
          JsonArray items = new JsonArray();
          page.items().forEach(rule -> items.add(schema ? rule.schemaJson() : rule.policyJson()));
          return new JsonObject().put("items", items).put("next", Requests.encodeCursor(page.next()))
              .put("prefix", prefix).put("env", env);
        })
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /**
   * Who changed which schema or policy when: every version, oldest first, as GET /v1/audit lists values ({@code env},
   * {@code prefix}, {@code updatedBy}, {@code since}, {@code limit}, {@code cursor}), only those the principal may read under.
   */
  private void ruleAudit(RoutingContext ctx) {
    Principal principal = Authentication.principal(ctx);
    Requests.AuditRequest request = requests.audit(ctx);
    KeyPrefix prefix = request.query().prefix();
    store.audit(request.afterRevision(), request.query().env(), request.query().actor(), request.query().since(),
            request.limit() + 1)
        .map(found -> {
          boolean more = found.size() > request.limit();
          List<GuardStore.AuditedRule> page = more ? found.subList(0, request.limit()) : found;
          JsonArray items = new JsonArray();
          for (GuardStore.AuditedRule audited : page) {
            GuardRule rule = audited.rule();
            // an every-environment rule applies to the environment asked for: reading there is enough
            GuardRule readAs = rule.env().equals(GuardRule.ALL_ENVIRONMENTS) && request.query().env() != null
                ? new GuardRule(rule.prefix(), request.query().env(), rule.version(), null, null, null, null,
                    rule.updatedAt(), rule.updatedBy(), null)
                : rule;
            boolean related = prefix.isAll() || under(prefix.value(), rule.prefix()) || under(rule.prefix(),
                prefix.value());
            if (related && mayRead(principal, readAs)) {
              items.add(new JsonObject().put("kind", audited.schema() ? "schema" : "policy")
                  .mergeIn(audited.schema() ? rule.schemaJson() : rule.policyJson()));
            }
          }
          String next = more ? Long.toString(page.get(page.size() - 1).seq()) : null;
          return new JsonObject().put("items", items).put("next", Requests.encodeCursor(next));
        })
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /** Every schema (or policy) in force that the principal may read something under, by prefix: one page. */
  private void listRules(RoutingContext ctx, boolean schema) {
    Principal principal = Authentication.principal(ctx);
    (schema ? store.currentSchemas() : store.currentPolicies())
        .map(all -> {
          JsonArray items = new JsonArray();
          all.stream().filter(GuardRule::present).filter(rule -> mayRead(principal, rule))
              .forEach(rule -> items.add(schema ? rule.schemaJson() : rule.policyJson()));
          return new JsonObject().put("items", items).put("next", (String) null);
        })
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void listPending(RoutingContext ctx) {
    Principal principal = Authentication.principal(ctx);
    String envParam = ctx.request().getParam("env");
    String env = envParam == null || envParam.isEmpty() ? null : requests.env(ctx);
    String status = ctx.request().getParam("status", PendingChange.PENDING);
    if (!STATUSES.contains(status)) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "status must be one of pending, approved, rejected, expired "
          + "or all, not '" + status + "'");
    }
    int limit = requests.limit(ctx);
    String cursor = requests.cursor(ctx);
    List<Grant> readable = principal.readGrants();
    if (readable != null && readable.isEmpty()) {
      throw new ConfigdException(Failure.FORBIDDEN, "'" + principal.name() + "' is authenticated but lacks read access "
          + "on any key, which pending changes need");
    }
    store.pendingPage(env, status.equals("all") ? null : status, cursor == null ? null : uuid(cursor, true), limit,
            readable)
        .compose(page -> pageJson(page, principal))
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void getPending(RoutingContext ctx) {
    UUID id = uuid(ctx.pathParam("id"), false);
    Principal principal = Authentication.principal(ctx);
    store.pending(id)
        .compose(found -> {
          PendingChange change = found.orElseThrow(() -> noPending(id));
          change.ops().forEach(op -> principal.require(Access.READ, change.env(), op.key()));
          return shown(change, principal);
        })
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void approve(RoutingContext ctx) {
    UUID id = uuid(ctx.pathParam("id"), false);
    authentication.countWrite(ctx);
    Principal approver = Authentication.principal(ctx);
    // the change as the approver may see it (a secret opened for one with secret access), as GET /v1/pending shows it
    approvals.approve(id, approver)
        .compose(approved -> shown(approved.change(), approver).compose(shown -> approved.value() != null
            ? cachedValue.apply(approved.value())
                .map(value -> shown.put("value", secrets.forReader(value, approver).toJson()))
            : approved.txn() != null
            ? cachedTxn.apply(approved.txn()).map(txn -> shown.put("txn", txn.txn()))
            : Future.succeededFuture(shown))) // approved, waiting for more approvers
        .onSuccess(body -> json(ctx, body.getString("status").equals("approved") ? 200 : 202, body))
        .onFailure(ctx::fail);
  }

  private void reject(RoutingContext ctx) {
    UUID id = uuid(ctx.pathParam("id"), false);
    JsonObject body = requests.jsonObject(ctx, REJECT_FIELDS);
    if (!(body.getValue("reason") instanceof String reason) || reason.isBlank()
        || reason.length() > Requests.MAX_COMMENT) {
      throw new ConfigdException(Failure.INVALID_BODY, "'reason' is required: why the change is rejected, 1 to "
          + Requests.MAX_COMMENT + " characters");
    }
    Principal rejecter = Authentication.principal(ctx);
    approvals.reject(id, rejecter, reason)
        .compose(change -> shown(change, rejecter))
        .onSuccess(shown -> json(ctx, 200, shown))
        .onFailure(ctx::fail);
  }

  private Future<JsonObject> pageJson(Page<PendingChange> page, Principal reader) {
    List<Future<JsonObject>> items = page.items().stream().map(change -> shown(change, reader)).toList();
    return Future.all(items).map(all -> new JsonObject().put("items", new JsonArray(all.list()))
        .put("next", Requests.encodeCursor(page.next())));
  }

  /**
   * A pending change as {@code reader} may see it: with secret access on a secret op's key, its value opened and the
   * value it replaces read from that version; without, the masks the change holds.
   */
  private Future<JsonObject> shown(PendingChange change, Principal reader) {
    JsonObject json = change.toJson();
    List<Future<Void>> befores = new ArrayList<>();
    for (int i = 0; i < change.ops().size(); i++) {
      PendingChange.Op op = change.ops().get(i);
      if (!Secrets.maySee(reader, change.env(), op.key())) {
        continue;
      }
      JsonObject shown = json.getJsonArray("ops").getJsonObject(i);
      if (op.sealed() != null) {
        shown.put("value", Json.decodeValue(secrets.open(change.env(), op.key().value(), op.sealed())));
        shown.remove("masked");
      }
      if (ConfigValue.MASK.equals(op.baseValue()) && op.baseVersion() > 0 && !op.baseDeleted()) {
        befores.add(values.version(change.env(), op.key(), op.baseVersion()).map(found -> {
          found.ifPresent(before -> shown.getJsonObject("before").put("value", secrets.forReader(before, reader).value()));
          return null;
        }));
      }
    }
    return Future.all(befores).map(all -> json);
  }

  private static String prefix(RoutingContext ctx) {
    return ConfigKey.parse(ctx.pathParam("prefix")).value();
  }

  /** {@code env}, or "*" (every environment) when the request leaves it out. */
  private String scopeEnv(RoutingContext ctx) {
    String env = ctx.request().getParam("env");
    return env == null || env.isEmpty() ? GuardRule.ALL_ENVIRONMENTS : requests.env(ctx);
  }

  private List<String> environments(String env) {
    return env.equals(GuardRule.ALL_ENVIRONMENTS) ? List.copyOf(environments.names()) : List.of(env);
  }

  private Principal mayManage(RoutingContext ctx, String prefix, String env) {
    Principal principal = Authentication.principal(ctx);
    principal.requireAll(Access.ADMIN, env, prefix);
    authentication.countWrite(ctx);
    return principal;
  }

  /** Whole segments, as grants match: "services.payment" is under "services", not under "services.pay". */
  private static boolean under(String path, String prefix) {
    return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + ".");
  }

  private static boolean mayRead(Principal principal, GuardRule rule) {
    try {
      principal.readableUnder(rule.env(), KeyPrefix.parse(rule.prefix()));
      return true;
    } catch (ConfigdException e) {
      return false;
    }
  }

  private static boolean enforceExisting(RoutingContext ctx) {
    String enforce = ctx.request().getParam("enforce");
    if (enforce == null || enforce.isEmpty() || enforce.equals("new")) {
      return false;
    }
    if (enforce.equals("existing")) {
      return true;
    }
    throw new ConfigdException(Failure.INVALID_PARAMETER, "enforce must be 'existing' (refuse the schema when current "
        + "values break it) or 'new' (the default: report them), not '" + enforce + "'");
  }

  private String comment(Object value) {
    if (value != null && !(value instanceof String)) {
      throw new ConfigdException(Failure.INVALID_BODY, "'comment' must be a string of at most " + Requests.MAX_COMMENT
          + " characters");
    }
    try {
      return requests.comment((String) value);
    } catch (ConfigdException e) {
      throw new ConfigdException(Failure.INVALID_BODY, e.getMessage());
    }
  }

  /** Seconds or an ISO-8601 duration; null for the node's default (guards.pendingExpiryMillis). */
  private static Long expiry(Object value) {
    if (value == null) {
      return null;
    }
    Duration expiry;
    if (value instanceof Integer || value instanceof Long) {
      expiry = Duration.ofSeconds(((Number) value).longValue());
    } else if (value instanceof String text) {
      try {
        expiry = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw invalidExpiry();
      }
    } else {
      throw invalidExpiry();
    }
    if (expiry.isNegative() || expiry.isZero() || expiry.compareTo(MAX_EXPIRY) > 0) {
      throw invalidExpiry();
    }
    return expiry.toMillis();
  }

  private static ConfigdException invalidExpiry() {
    return new ConfigdException(Failure.INVALID_BODY, "'expiresIn' must be a positive number of seconds or an ISO-8601 "
        + "duration such as \"PT12H\" or \"P7D\", at most " + MAX_EXPIRY.toDays() + " days; leave it out for the "
        + "node's default");
  }

  private static int version(String cursor) {
    try {
      return Integer.parseInt(cursor);
    } catch (NumberFormatException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "cursor is not one this server returned");
    }
  }

  private static UUID uuid(String text, boolean cursor) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw cursor ? new ConfigdException(Failure.INVALID_PARAMETER, "cursor is not one this server returned")
          : noPending(text);
    }
  }

  private static ConfigdException noPending(Object id) {
    return new ConfigdException(Failure.NOT_FOUND, "there is no pending change " + id + "; ids come from GET "
        + "/v1/pending or a write's 202");
  }

  private static ConfigdException notFound(boolean schema, String prefix, String env) {
    return new ConfigdException(Failure.NOT_FOUND, "there is no " + (schema ? "schema" : "approval policy") + " on '"
        + prefix + "' for " + (env.equals(GuardRule.ALL_ENVIRONMENTS) ? "every environment (env left out)" : env));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
