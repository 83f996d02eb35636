package io.configd.api;

import io.configd.instances.InstanceBook;
import io.configd.instances.InstancesSettings;
import io.configd.model.Access;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Environments;
import io.configd.model.Failure;
import io.configd.model.Instance;
import io.configd.model.InstanceAck;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.configd.store.ConfigStore;
import io.configd.store.InstanceRow;
import io.configd.store.InstanceStore;
import io.configd.store.KeyInstance;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who runs what, across the cluster: {@code GET /v1/instances} lists the instances watching a prefix, what each
 * applied and whether it is still connected; {@code GET /v1/config/{key}/status} says how many of the instances
 * watching a key run its current version and which do not; {@code POST /v1/acks} is the ack of an instance that reads
 * over plain HTTP. Read from PostgreSQL, where every node's heartbeat writes its instances ({@link InstanceStore}).
 */
final class InstancesApi {

  private static final Set<String> ACK_FIELDS = Set.of("env", "revision", "keys", "failures");
  private static final Set<String> STATES = Set.of("connected", "gone");

  private final Requests requests;
  private final Environments environments;
  private final InstanceStore instances;
  private final ConfigStore config;
  private final InstanceBook book;
  private final InstancesSettings settings;

  InstancesApi(Requests requests, Environments environments, InstanceStore instances, ConfigStore config,
               InstanceBook book, InstancesSettings settings) {
    this.requests = requests;
    this.environments = environments;
    this.instances = instances;
    this.config = config;
    this.book = book;
    this.settings = settings;
  }

  void mount(Router router) {
    router.get("/v1/instances").handler(this::list);
    router.get("/v1/config/:key/status").handler(this::status);
    router.post("/v1/acks").handler(this::ack);
  }

  /**
   * {@code ?env=&prefix=&state=&limit=&cursor=}: the instances watching something of env that overlaps the prefix
   * (a watch above it or below it), by id; the keys shown are those under the prefix. Needs read on the whole prefix,
   * as a subscription to it does.
   */
  private void list(RoutingContext ctx) {
    String env = requests.env(ctx);
    KeyPrefix prefix = requests.prefix(ctx);
    Authentication.principal(ctx).requireAll(Access.READ, env, prefix.value());
    String state = ctx.request().getParam("state");
    if (state != null && !STATES.contains(state)) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "state must be connected or gone (or left out: both), not '"
          + state + "'");
    }
    int limit = requests.limit(ctx);
    String after = requests.cursor(ctx);
    instances.list(env, prefix.value(), after == null ? "" : after, settings.staleMillis(), state, limit)
        .map(page -> {
          JsonArray items = new JsonArray();
          page.forEach(row -> items.add(item(row, env, prefix)));
          String next = page.size() < limit ? null : page.get(page.size() - 1).id();
          return new JsonObject().put("items", items).put("next", Requests.encodeCursor(next)).put("env", env)
              .put("prefix", prefix.value());
        })
        .onSuccess(body -> json(ctx, body))
        .onFailure(ctx::fail);
  }

  /**
   * {@code ?env=&limit=}: of the connected instances whose watches cover the key, how many run its current version
   * (they acknowledged it, or a later one), and the first {@code limit} of those that do not, with the version they
   * acknowledged (null: none yet).
   */
  private void status(RoutingContext ctx) {
    String env = requests.env(ctx);
    ConfigKey key = requests.key(ctx);
    Authentication.principal(ctx).require(Access.READ, env, key);
    int limit = requests.limit(ctx);
    config.current(env, key)
        .map(found -> found.orElseThrow(() -> new ConfigdException(Failure.NOT_FOUND,
            "key '" + key + "' does not exist in " + env)))
        .compose(current -> instances.watching(env, key.value(), settings.staleMillis())
            .map(watching -> statusJson(current, watching, limit)))
        .onSuccess(body -> json(ctx, body))
        .onFailure(ctx::fail);
  }

  /**
   * The ack of an instance that reads over plain HTTP: the instance named as on a read (parameters or headers), the
   * body as on the bridge ({@code {env, revision, keys, failures}}). Needs read on every key named.
   */
  private void ack(RoutingContext ctx) {
    Instance instance = Requests.instance(ctx).orElseThrow(() -> new ConfigdException(Failure.INVALID_INSTANCE,
        "name the instance that acknowledges: the query parameter 'instance' (or the header "
            + Requests.INSTANCE_HEADER + ")"));
    InstanceAck ack = InstanceAck.fromJson(requests.jsonObject(ctx, ACK_FIELDS), environments);
    Principal principal = Authentication.principal(ctx);
    principal.readableUnder(ack.env(), KeyPrefix.ALL);
    ack.keys().keySet().forEach(key -> principal.require(Access.READ, ack.env(), ConfigKey.parse(key)));
    book.ack(instance, ack);
    json(ctx, instance.toJson().put("env", ack.env()).put("revision", ack.revision()).put("node", book.node()));
  }

  private static JsonObject item(InstanceRow row, String env, KeyPrefix prefix) {
    JsonArray watches = new JsonArray();
    row.watches().stream().map(JsonObject.class::cast).filter(watch -> env.equals(watch.getString("env")))
        .map(watch -> watch.getString("prefix")).sorted().forEach(watches::add);
    JsonObject acked = row.acked() == null ? new JsonObject() : row.acked();
    JsonObject keys = new JsonObject();
    acked.getJsonObject("keys", new JsonObject()).forEach(entry -> {
      if (ConfigKey.parse(entry.getKey()).isUnder(prefix.value())) {
        keys.put(entry.getKey(), entry.getValue());
      }
    });
    return new JsonObject().put("instance", row.id()).put("app", row.app()).put("labels", row.labels())
        .put("node", row.node()).put("state", row.connected() ? "connected" : "gone")
        .put("transports", new JsonArray(row.transports())).put("watches", watches)
        .put("revision", acked.getLong("revision")).put("failures", acked.getLong("failures", 0L)).put("keys", keys)
        .put("connectedAt", text(row.connectedAt())).put("lastSeen", text(row.lastSeen()))
        .put("goneAt", row.connected() ? null : text(row.goneAt() != null ? row.goneAt() : row.lastSeen()));
  }

  private static JsonObject statusJson(ConfigValue current, List<KeyInstance> watching, int limit) {
    List<KeyInstance> connected = watching.stream().filter(KeyInstance::connected).toList();
    List<KeyInstance> behind = connected.stream()
        .filter(instance -> instance.applied() == null || instance.applied() < current.version()).toList();
    JsonArray listed = new JsonArray();
    behind.stream().limit(limit).forEach(instance -> listed.add(new JsonObject().put("instance", instance.id())
        .put("app", instance.app()).put("labels", instance.labels()).put("node", instance.node())
        .put("version", instance.applied()).put("revision", instance.revision()).put("failures", instance.failures())
        .put("lastSeen", text(instance.lastSeen()))));
    return new JsonObject().put("key", current.key()).put("env", current.env()).put("version", current.version())
        .put("revision", current.revision()).put("deleted", current.deleted())
        .put("instances", connected.size()).put("current", connected.size() - behind.size())
        .put("behind", listed).put("more", behind.size() > limit)
        .put("gone", watching.size() - connected.size());
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
