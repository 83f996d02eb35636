package io.configd.guard;

import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.store.ConfigStore;
import io.configd.store.GuardRule;
import io.configd.store.GuardStore;
import io.configd.store.HeldForApproval;
import io.configd.store.PendingChange;
import io.configd.store.Sealer;
import io.configd.store.Proposal;
import io.configd.store.TxnOp;
import io.configd.store.WriteGuard;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas and approval policies every write passes (the write pipeline asks for each, whatever its route). The
 * node holds them in memory, reloads them from PostgreSQL in the background every half {@code guards.refreshMillis},
 * and before checking a write once its copy is older than that anyway (the reload slow or failing); a node that
 * changes one reloads at once and tells the others over the event bus
 * ({@link Addresses#GUARDS_CHANGED}, which reaches every clustered node), so a change is in force on its own node
 * at once, on clustered nodes as the message arrives, and on every node within refreshMillis. Built once per node,
 * shared by its API instances (thread-safe).
 */
public final class Guards implements WriteGuard {

  private static final Logger LOG = LoggerFactory.getLogger(Guards.class);

  private final Vertx vertx;
  private final GuardStore store;
  private final ConfigStore values;
  private final GuardSettings settings;
  private final SchemaCheck check;
  /** Compiled validators by (prefix, env, version): a version never changes. */
  private final Map<String, Validator> compiled = new ConcurrentHashMap<>();
  private GuardRules rules = GuardRules.EMPTY;
  private long loadedAt;
  private long loadedGeneration = -1;
  private long generation;
  private Future<GuardRules> loading;
  private volatile Sealer sealer = Sealer.NONE;
  private MessageConsumer<Object> announcements;
  private long reloadTimer = -1;

  public Guards(Vertx vertx, Pool pool, GuardSettings settings) {
    this.vertx = vertx;
    this.store = new GuardStore(pool);
    this.values = new ConfigStore(pool);
    this.settings = settings;
    this.check = new SchemaCheck(vertx);
  }

  /** Opens secrets' stored values (a new schema checked against them) and seals a held put of a key found secret. */
  public void opensSecretsWith(Sealer sealer) {
    this.sealer = sealer;
  }

  /**
   * Listens for the changes other nodes announce, and reloads every half refreshMillis in the background, so that a
   * write finds a copy young enough and never waits for the reload (it did: every write arriving during a reload
   * queued behind it, the write path's slowest stage at p90); call once, when the node starts.
   */
  public void listen() {
    announcements = vertx.eventBus().consumer(Addresses.GUARDS_CHANGED, message -> invalidate());
    if (settings.refreshMillis() > 0) {
      reloadTimer = vertx.setPeriodic(Math.max(1, settings.refreshMillis() / 2), id -> load());
    }
  }

  /** Stops listening and reloading, when the node closes. */
  public Future<Void> close() {
    vertx.cancelTimer(reloadTimer);
    return announcements == null ? Future.succeededFuture() : announcements.unregister();
  }

  public GuardStore store() {
    return store;
  }

  public SchemaCheck check() {
    return check;
  }

  public GuardSettings settings() {
    return settings;
  }

  /** After this node changed a schema or policy: reload here before the next write, and tell every other node. */
  public void changed() {
    invalidate();
    vertx.eventBus().publish(Addresses.GUARDS_CHANGED, null);
  }

  private synchronized void invalidate() {
    generation++;
  }

  /** The rules in force, reloaded first when this node's copy is stale (older than refreshMillis, or changed here). */
  synchronized Future<GuardRules> rules() {
    boolean fresh = loadedGeneration == generation && System.nanoTime() - loadedAt < settings.refreshMillis() * 1_000_000;
    return fresh ? Future.succeededFuture(rules) : load();
  }

  /** Reloads from PostgreSQL; one load at a time, which every caller meanwhile shares. */
  private synchronized Future<GuardRules> load() {
    if (loading != null) {
      return loading;
    }
    long startedAt = System.nanoTime();
    long startedGeneration = generation;
    Future<GuardRules> load = Future.all(store.currentSchemas(), store.currentPolicies())
        .map(both -> build(both.resultAt(0), both.resultAt(1)));
    loading = load;
    load.onComplete(done -> {
      synchronized (this) {
        loading = null;
        if (done.succeeded()) {
          rules = done.result();
          loadedAt = startedAt;
          loadedGeneration = startedGeneration;
        }
      }
    });
    return load;
  }

  private GuardRules build(List<GuardRule> schemas, List<GuardRule> policies) {
    List<GuardRules.Schema> inForce = new ArrayList<>();
    for (GuardRule rule : schemas) {
      if (!rule.present()) {
        continue;
      }
      try {
        inForce.add(new GuardRules.Schema(rule, compiled.computeIfAbsent(rule.prefix() + "\n" + rule.env() + "\n"
            + rule.version(), k -> check.compile(rule.document()))));
      } catch (ConfigdException e) {
        // accepted when it was stored, so only a change of the validator library could bring this: say so, skip it
        LOG.error("The schema of '{}' in {} (version {}) no longer compiles, and is not enforced: {}", rule.prefix(),
            rule.env(), rule.version(), e.getMessage());
      }
    }
    return new GuardRules(inForce, policies.stream().filter(GuardRule::present).toList());
  }

  /** A schema that is about to be stored, compiled: INVALID_SCHEMA when it cannot be. */
  GuardRules.Schema compile(GuardRule rule) {
    return new GuardRules.Schema(rule, check.compile(rule.document()));
  }

  @Override
  public Future<Void> admit(Proposal proposal, String approvedBy) {
    return rules().compose(inForce -> {
      if (!violations(inForce, proposal, Set.of()).isEmpty()) {
        return refusal(inForce, proposal);
      }
      if (approvedBy != null) {
        return Future.succeededFuture();
      }
      List<GuardRule> holding = new ArrayList<>();
      for (TxnOp op : proposal.ops()) {
        if (op.kind() != TxnOp.Kind.CHECK) {
          inForce.approvalFor(proposal.env(), op.key()).ifPresent(holding::add);
        }
      }
      return holding.isEmpty() ? Future.succeededFuture() : hold(proposal, holding);
    });
  }

  @Override
  public Future<Void> schemas(Proposal proposal) {
    return rules().compose(inForce -> violations(inForce, proposal, Set.of()).isEmpty() ? Future.succeededFuture()
        : refusal(inForce, proposal));
  }

  /**
   * The 422 of a proposal that breaks a schema. Whether a put's key is secret (its refusal then quotes no value) is
   * asked of PostgreSQL for the keys this node does not know secret: another node may have made one secret a moment
   * ago. Only refusals pay that query.
   */
  private Future<Void> refusal(GuardRules inForce, Proposal proposal) {
    List<String> unknown = proposal.ops().stream()
        .filter(op -> op.kind() == TxnOp.Kind.PUT && op.sealed() == null && !Boolean.TRUE.equals(op.secret()))
        .map(op -> op.key().value()).distinct().toList();
    return store.secretAmong(proposal.env(), unknown).compose(secret -> {
      secret.forEach(key -> sealer.learnSecret(proposal.env(), key));
      return Future.failedFuture(refused(proposal, violations(inForce, proposal, secret)));
    });
  }

  /**
   * Every rule each put's value breaks, each failure naming its op (in a transaction), key and schema; the failures
   * of a secret (sealed, flagged, or among {@code secret}) do not quote the validator's message.
   */
  private static List<JsonObject> violations(GuardRules inForce, Proposal proposal, Set<String> secretKeys) {
    List<JsonObject> failures = new ArrayList<>();
    for (int i = 0; i < proposal.ops().size(); i++) {
      TxnOp op = proposal.ops().get(i);
      if (op.kind() != TxnOp.Kind.PUT) {
        continue;
      }
      Optional<GuardRules.Schema> schema = inForce.schemaFor(proposal.env(), op.key());
      if (schema.isEmpty()) {
        continue;
      }
      boolean secret = op.sealed() != null || Boolean.TRUE.equals(op.secret()) || secretKeys.contains(op.key().value());
      for (JsonObject failure : SchemaCheck.failures(schema.get().validator(), Json.decodeValue(op.encodedValue()))) {
        if (secret) {
          // the validator's message may quote the value ("738291 is less than 1000000"): a secret's names the rule only
          failure.remove("message");
        }
        JsonObject named = new JsonObject();
        if (!proposal.single()) {
          named.put("op", i);
        }
        named.put("key", op.key().value()).mergeIn(failure).put("schema", scope(schema.get().rule()));
        failures.add(named);
      }
    }
    return failures;
  }

  static JsonObject scope(GuardRule rule) {
    return new JsonObject().put("prefix", rule.prefix()).put("env", rule.env()).put("version", rule.version());
  }

  private static ConfigdException refused(Proposal proposal, List<JsonObject> failures) {
    JsonObject first = failures.get(0);
    JsonObject schema = first.getJsonObject("schema");
    String where = first.getString("location").isEmpty() ? "the value" : first.getString("location");
    String detail = (first.containsKey("op") ? "op " + first.getInteger("op") + " ('" + first.getString("key") + "')"
        : "the value of '" + first.getString("key") + "'") + " does not match the schema of '" + schema.getString("prefix")
        + "' (" + schema.getString("env") + ", version " + schema.getInteger("version") + "): " + where + ": "
        + (first.containsKey("message") ? first.getString("message") : "breaks '" + first.getString("keyword")
        + "' (a secret's value is not quoted)") + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more in errors)" : "")
        + "; nothing was written";
    return new ConfigdException(Failure.SCHEMA_VIOLATION, detail, new JsonObject().put("errors", new JsonArray(failures)));
  }

  /**
   * Records the proposal as a pending change, once its own conditions hold against the keys as they are now (an
   * If-Match that fails now is a 412 now, not at approval), and fails with {@link HeldForApproval}.
   */
  private Future<Void> hold(Proposal proposal, List<GuardRule> policies) {
    List<Future<Optional<ConfigValue>>> reads = proposal.ops().stream()
        .map(op -> values.current(proposal.env(), op.key())).toList();
    return Future.all(reads).compose(read -> {
      List<PendingChange.Op> ops = new ArrayList<>();
      for (int i = 0; i < proposal.ops().size(); i++) {
        TxnOp op = proposal.ops().get(i);
        Optional<ConfigValue> current = read.resultAt(i);
        int version = current.map(ConfigValue::version).orElse(0);
        boolean deleted = current.map(ConfigValue::deleted).orElse(true);
        refuseIfNotHolding(proposal, i, op, version, deleted);
        // a secret is kept sealed, its mask as the value: the clear value is never stored with the pending change
        ops.add(new PendingChange.Op(op.kind(), op.key(), op.sealed() != null ? ConfigValue.MASK
            : op.encodedValue() == null ? null : Json.decodeValue(op.encodedValue()), op.critical(), op.comment(),
            version, deleted, deleted ? null : current.get().value(),
            op.sealed() == null ? null : op.sealed().ciphertext()));
      }
      long expiresIn = policies.stream().map(GuardRule::expiresInMs).filter(ms -> ms != null)
          .min(Long::compare).orElse(settings.pendingExpiryMillis());
      String comment = proposal.single() ? proposal.ops().get(0).comment() : null;
      int approvals = policies.stream().mapToInt(GuardRule::approvalsNeeded).max().orElse(1);
      return store.hold(proposal.env(), proposal.single(), proposal.actor(), comment, expiresIn, approvals, ops, sealer);
    }).compose(pending -> {
      LOG.info("A change of {} key(s) in {} by '{}' waits for approval as {}", pending.ops().size(), pending.env(),
          pending.author(), pending.id());
      return Future.failedFuture(new HeldForApproval(pending.toJson()));
    });
  }

  private static void refuseIfNotHolding(Proposal proposal, int index, TxnOp op, int version, boolean deleted) {
    String violation = op.expected().violation(version, deleted);
    String named = proposal.single() ? "" : "op " + index + " (" + op.kind().wire() + " '" + op.key() + "'): ";
    if (violation != null) {
      throw new ConfigdException(Failure.PRECONDITION_FAILED, named + violation + "; nothing was held for approval",
          new JsonObject().put("current", version));
    }
    if (op.kind() == TxnOp.Kind.DELETE && deleted) {
      throw new ConfigdException(proposal.single() ? Failure.NOT_FOUND : Failure.CONFLICT, named + "key '" + op.key()
          + "' does not exist in " + proposal.env() + ", so it cannot be deleted");
    }
  }

  /**
   * The current values under {@code prefix} (in {@code env}, or every environment for "*") that {@code schema}
   * would govern and that break it: {env, key, version, errors}, at most {@code max} of them; and how many in all.
   */
  Future<JsonObject> failingValues(GuardRules.Schema schema, List<String> environments, int max) {
    return rules().compose(inForce -> {
      GuardRules changed = inForce.withSchema(schema);
      JsonArray failing = new JsonArray();
      int[] count = {0};
      Future<Void> scanned = Future.succeededFuture();
      for (String env : environments) {
        scanned = scanned.compose(v -> scan(env, schema, changed, "", failing, count, max));
      }
      return scanned.map(v -> new JsonObject().put("failing", failing).put("failingCount", count[0]));
    });
  }

  private Future<Void> scan(String env, GuardRules.Schema schema, GuardRules changed, String after, JsonArray failing,
                            int[] count, int max) {
    io.configd.model.KeyPrefix prefix = io.configd.model.KeyPrefix.parse(schema.rule().prefix());
    return values.entries(env, prefix, after, 1000, null).compose(page -> {
      for (ConfigValue value : page.items()) {
        ConfigKey key = ConfigKey.parse(value.key());
        if (value.deleted() || changed.schemaFor(env, key).map(found -> found != schema).orElse(true)) {
          continue;
        }
        boolean secret = value.secrecy() == ConfigValue.Secrecy.SEALED;
        // a secret is checked by its own value, opened in memory only, never by its mask
        Object checked = secret ? Json.decodeValue(sealer.open(env, value.key(), value.sealed())) : value.value();
        List<JsonObject> errors = SchemaCheck.failures(schema.validator(), checked);
        if (secret) {
          errors.forEach(error -> error.remove("message")); // it may quote the value
        }
        if (!errors.isEmpty()) {
          count[0]++;
          if (failing.size() < max) {
            failing.add(new JsonObject().put("env", env).put("key", value.key()).put("version", value.version())
                .put("errors", new JsonArray(errors)));
          }
        }
      }
      return page.next() == null ? Future.succeededFuture() : scan(env, schema, changed, page.next(), failing, count, max);
    });
  }
}
