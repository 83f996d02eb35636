package io.configd.api;

import io.configd.model.Access;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.configd.store.ConfigStore;
import io.configd.store.Precondition;
import io.configd.store.Write;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * GET /v1/export and POST /v1/import: a prefix of an environment as JSON, YAML or .properties, and back. An import
 * compares the file with the current values (added, changed, removed, unchanged), and unless it is a dry run writes
 * the difference in ONE PostgreSQL transaction through the write door every write uses (configd_write: grants,
 * preconditions, the revision counter, the outbox); any refusal writes nothing.
 */
final class ExportImportApi {

  static final int MAX_IMPORT_KEYS = 1000;
  private static final int PAGE = 1000;

  private final Requests requests;
  private final Pool pool;
  private final ConfigStore store;
  private final Authentication authentication;
  private final Function<ConfigValue, Future<ConfigValue>> cached;

  /** @param cached tells this node's cache of a committed write (read-your-writes), as a PUT does */
  ExportImportApi(Requests requests, Pool pool, Authentication authentication,
                  Function<ConfigValue, Future<ConfigValue>> cached) {
    this.requests = requests;
    this.pool = pool;
    this.store = new ConfigStore(pool);
    this.authentication = authentication;
    this.cached = cached;
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
    current(env, prefix).onSuccess(values -> {
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
    current(env, prefix)
        .compose(current -> {
          ImportPlan plan = ImportPlan.of(incoming, current, prune);
          List<Write> writes = writes(plan, env, principal, comment == null ? "import" : comment);
          JsonObject answer = plan.toJson().put("env", env).put("prefix", prefix.value()).put("dryRun", dryRun);
          if (dryRun || writes.isEmpty()) {
            return Future.succeededFuture(answer.put("revision", null));
          }
          return writeAll(writes).map(written -> answer.put("revision", written.get(written.size() - 1).revision()));
        })
        .onSuccess(answer -> ctx.response().putHeader("Content-Type", "application/json").end(answer.encode()))
        .onFailure(ctx::fail);
  }

  /** Every key parsed and under the prefix, every value present and within the size limit: else nothing is written. */
  private Map<String, Object> validated(Map<String, Object> incoming, KeyPrefix prefix) {
    if (incoming.size() > MAX_IMPORT_KEYS) {
      throw new ConfigdException(Failure.INVALID_BODY, "an import holds at most " + MAX_IMPORT_KEYS + " keys, this one "
          + incoming.size());
    }
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

  /** The writes of a plan, each with the precondition that the key is still as the plan saw it. */
  private List<Write> writes(ImportPlan plan, String env, Principal principal, String comment) {
    List<Write> writes = new ArrayList<>();
    plan.added().forEach(item -> {
      ConfigKey key = ConfigKey.parse(item.key());
      principal.require(Access.WRITE, env, key);
      writes.add(new Write(env, key, Json.encode(item.value()), false, null, comment, principal.name(),
          Precondition.ABSENT));
    });
    plan.changed().forEach(item -> {
      ConfigKey key = ConfigKey.parse(item.current().key());
      principal.require(Access.WRITE, env, key);
      writes.add(new Write(env, key, Json.encode(item.value()), false, null, comment, principal.name(),
          new Precondition.Version(item.current().version())));
    });
    plan.removed().forEach(item -> {
      ConfigKey key = ConfigKey.parse(item.key());
      principal.require(Access.WRITE, env, key);
      writes.add(new Write(env, key, null, true, null, comment, principal.name(),
          new Precondition.Version(item.version())));
    });
    return writes;
  }

  /** All in one transaction: the revisions are contiguous, and a refusal of any write rolls back every one. */
  private Future<List<ConfigValue>> writeAll(List<Write> writes) {
    return pool.withTransaction(connection -> {
      ConfigStore inTransaction = new ConfigStore(connection);
      Future<List<ConfigValue>> chain = Future.succeededFuture(new ArrayList<>());
      for (Write write : writes) {
        chain = chain.compose(done -> inTransaction.write(write).map(value -> {
          done.add(value);
          return done;
        }));
      }
      return chain;
    }).compose(written -> {
      List<Future<ConfigValue>> told = written.stream().map(cached).toList();
      return Future.join(told).map(written);
    });
  }

  private Future<Map<String, ConfigValue>> current(String env, KeyPrefix prefix) {
    return page(env, prefix, "", new LinkedHashMap<>());
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
