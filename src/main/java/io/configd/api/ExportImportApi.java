package io.configd.api;

import io.configd.model.Access;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.configd.secrets.Secrets;
import io.configd.store.ConfigStore;
import io.configd.store.Precondition;
import io.configd.store.Transaction;
import io.configd.store.TxnOp;
import io.configd.store.TxnResult;
import io.configd.store.WritePipeline;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * GET /v1/export and POST /v1/import: a prefix of an environment as JSON, YAML or .properties, and back. An import
 * compares the file with the current values (added, changed, removed, unchanged), and unless it is a dry run writes
 * the difference as ONE transaction on the node's write pipeline (what POST /v1/txn uses: one commit, contiguous
 * revisions, each op conditioned on the version the comparison saw); any refusal writes nothing.
 */
final class ExportImportApi {

  private static final int PAGE = 1000;

  private final Requests requests;
  private final ConfigStore store;
  private final WritePipeline writes;
  private final Authentication authentication;
  private final Function<TxnResult, Future<TxnResult>> cached;
  private final int maxOps;
  private final Secrets secrets;

  /** @param cached tells this node's cache of a committed transaction (read-your-writes), as POST /v1/txn does */
  ExportImportApi(Requests requests, ConfigStore store, WritePipeline writes, Authentication authentication,
                  Function<TxnResult, Future<TxnResult>> cached, int maxOps, Secrets secrets) {
    this.secrets = secrets;
    this.requests = requests;
    this.store = store;
    this.writes = writes;
    this.authentication = authentication;
    this.cached = cached;
    this.maxOps = maxOps;
  }

  void mount(Router router) {
    router.get("/v1/export").handler(this::export);
    router.post("/v1/import").handler(this::importFile);
  }

  private void export(RoutingContext ctx) {
    String env = requests.env(ctx);
    KeyPrefix prefix = requests.prefix(ctx);
    ExportFormat format = ExportFormat.parse(ctx.request().getParam("format"));
    Authentication.principal(ctx).requireAll(Access.READ, env, prefix.value());
    current(env, prefix, Authentication.principal(ctx)).onSuccess(values -> {
      Map<String, Object> plain = new LinkedHashMap<>();
      values.forEach((key, value) -> plain.put(key, value.value()));
      String name = env + (prefix.value().isEmpty() ? "" : "-" + prefix.value()) + "." + format.extension();
      ctx.response().putHeader("Content-Type", format.contentType())
          .putHeader("Content-Disposition", "attachment; filename=\"" + name + "\"")
          .end(format.write(plain));
    }).onFailure(ctx::fail);
  }

  private void importFile(RoutingContext ctx) {
    String env = requests.env(ctx);
    KeyPrefix prefix = requests.prefix(ctx);
    boolean dryRun = flag(ctx, "dryRun");
    boolean prune = flag(ctx, "prune");
    String comment = requests.comment(ctx.request().getParam("comment"));
    ExportFormat format = ExportFormat.parse(ctx.request().getParam("format"));
    Principal principal = Authentication.principal(ctx);
    principal.requireAll(Access.READ, env, prefix.value());
    Map<String, Object> incoming = validated(format.read(ctx.body().asString()), prefix);
    if (!dryRun) {
      authentication.countWrite(ctx);
    }
    current(env, prefix, principal)
        .compose(current -> {
          ImportPlan plan = ImportPlan.of(unmasked(incoming, current), current, prune);
          List<TxnOp> ops = ops(plan, env, principal, comment == null ? "import" : comment);
          JsonObject answer = plan.toJson().put("env", env).put("prefix", prefix.value()).put("dryRun", dryRun);
          if (ops.size() > maxOps) {
            throw new ConfigdException(Failure.INVALID_BODY, "this import would write " + ops.size() + " keys; one "
                + "import (one transaction) writes at most " + maxOps + ": import a narrower prefix at a time");
          }
          if (dryRun) {
            // a dry run says what the import would do: a value its schema refuses is refused here too
            return writes.checkSchemas(new Transaction(env, principal.name(), ops))
                .map(checked -> answer.put("txn", null).put("revision", null));
          }
          if (ops.isEmpty()) {
            return Future.succeededFuture(answer.put("txn", null).put("revision", null));
          }
          return writes.transaction(new Transaction(env, principal.name(), ops))
              .compose(cached)
              .map(result -> answer.put("txn", result.txn()).put("revision", result.revision()));
        })
        .onSuccess(answer -> ctx.response().putHeader("Content-Type", "application/json").end(answer.encode()))
        .onFailure(ctx::fail);
  }

  /** Every key parsed and under the prefix, every value present and within the size limit: else nothing is written. */
  private Map<String, Object> validated(Map<String, Object> incoming, KeyPrefix prefix) {
    Map<String, Object> values = new LinkedHashMap<>();
    incoming.forEach((name, value) -> {
      ConfigKey key = ConfigKey.parse(name);
      if (!key.isUnder(prefix.value())) {
        throw new ConfigdException(Failure.INVALID_BODY, "key '" + name + "' is not under the prefix '" + prefix.value()
            + "' of this import");
      }
      if (value == null) {
        throw new ConfigdException(Failure.INVALID_BODY, "key '" + name + "' has no value (null); every key of an "
            + "import needs one, and nothing was written");
      }
      requests.encodedValue(value, "key '" + name + "'");
      values.put(key.value(), value);
    });
    return values;
  }

  /** The ops of a plan, each with the precondition that the key is still as the plan saw it. */
  private static List<TxnOp> ops(ImportPlan plan, String env, Principal principal, String comment) {
    List<TxnOp> ops = new ArrayList<>();
    plan.added().forEach(item -> ops.add(op(principal, env, TxnOp.Kind.PUT, item.key(), Json.encode(item.value()),
        comment, Precondition.ABSENT)));
    plan.changed().forEach(item -> ops.add(op(principal, env, TxnOp.Kind.PUT, item.current().key(),
        Json.encode(item.value()), comment, new Precondition.Version(item.current().version()))));
    plan.removed().forEach(item -> ops.add(op(principal, env, TxnOp.Kind.DELETE, item.key(), null, comment,
        new Precondition.Version(item.version()))));
    return ops;
  }

  private static TxnOp op(Principal principal, String env, TxnOp.Kind kind, String name, String encodedValue,
                          String comment, Precondition expected) {
    ConfigKey key = ConfigKey.parse(name);
    principal.require(Access.WRITE, env, key);
    return new TxnOp(kind, key, encodedValue, null, comment, expected);
  }

  /**
   * The current values as {@code reader} may see them: an export made without secret access carries the mask of
   * each secret, and importing it back leaves those secrets as they are.
   */
  private Future<Map<String, ConfigValue>> current(String env, KeyPrefix prefix, Principal reader) {
    return page(env, prefix, "", new LinkedHashMap<>()).map(values -> {
      values.replaceAll((key, value) -> secrets.forReader(value, reader));
      return values;
    });
  }

  /** The incoming values, a secret's mask read as "unchanged" (an export without secret access holds masks). */
  private static Map<String, Object> unmasked(Map<String, Object> incoming, Map<String, ConfigValue> current) {
    Map<String, Object> kept = new LinkedHashMap<>(incoming);
    current.forEach((key, value) -> {
      if (value.secret() && ConfigValue.MASK.equals(incoming.get(key))) {
        kept.put(key, value.value());
      }
    });
    return kept;
  }

  private Future<Map<String, ConfigValue>> page(String env, KeyPrefix prefix, String after,
                                                Map<String, ConfigValue> into) {
    return store.entries(env, prefix, after, PAGE, null).compose(page -> {
      page.items().forEach(value -> into.put(value.key(), value));
      return page.next() == null ? Future.succeededFuture(into) : page(env, prefix, page.next(), into);
    });
  }

  private static boolean flag(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    if (value == null || value.isEmpty() || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw new ConfigdException(Failure.INVALID_PARAMETER, name + " must be true or false, not '" + value + "'");
  }
}
