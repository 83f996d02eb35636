package io.configd.store;

import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Grant;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/** Schemas, approval policies and pending changes in PostgreSQL (issue 17 items 1-2). */
public final class GuardStore {

  private final Pool pool;

  public GuardStore(Pool pool) {
    this.pool = pool;
  }

  /** The newest version of every schema, removed ones included. */
  public Future<List<GuardRule>> currentSchemas() {
    return pool.query(SqlQueries.SELECT_CURRENT_SCHEMAS).execute().map(rows -> list(rows, GuardRule::schema));
  }

  public Future<List<GuardRule>> currentPolicies() {
    return pool.query(SqlQueries.SELECT_CURRENT_POLICIES).execute().map(rows -> list(rows, GuardRule::policy));
  }

  /** Records a schema's next version ({@code document} null removes it). */
  public Future<GuardRule> putSchema(String prefix, String env, JsonObject document, String comment, String actor) {
    return pool.preparedQuery(SqlQueries.INSERT_SCHEMA)
        .execute(Tuple.of(prefix, env, document == null ? null : document.encode(), comment, actor))
        .map(rows -> GuardRule.schema(rows.iterator().next()))
        .recover(GuardStore::concurrent);
  }

  public Future<GuardRule> putPolicy(String prefix, String env, Boolean required, Long expiresInMs, Integer approvals,
                                     String comment, String actor) {
    return pool.preparedQuery(SqlQueries.INSERT_POLICY)
        .execute(Tuple.of(prefix, env, required, expiresInMs, comment, actor).addInteger(approvals))
        .map(rows -> GuardRule.policy(rows.iterator().next()))
        .recover(GuardStore::concurrent);
  }

  /** A schema's (or policy's) versions below {@code before}, newest first; next is the last one's version. */
  public Future<Page<GuardRule>> versions(boolean schema, String prefix, String env, int before, int limit) {
    return pool.preparedQuery(schema ? SqlQueries.SELECT_SCHEMA_VERSIONS : SqlQueries.SELECT_POLICY_VERSIONS)
        .execute(Tuple.of(prefix, env, before, limit + 1))
        .map(rows -> {
          List<GuardRule> items = list(rows, schema ? GuardRule::schema : GuardRule::policy);
          boolean more = items.size() > limit;
          List<GuardRule> page = more ? items.subList(0, limit) : items;
          return new Page<>(List.copyOf(page), more ? Integer.toString(page.get(page.size() - 1).version()) : null);
        });
  }

  /** A schema's or a policy's version as the audit lists it, with its audit number (the listing's cursor). */
  public record AuditedRule(boolean schema, long seq, GuardRule rule) {
  }

  /** Schema and policy versions after audit number {@code after}, oldest first, at most {@code limit}. */
  public Future<List<AuditedRule>> audit(long after, String env, String actor, java.time.Instant since, int limit) {
    Tuple args = Tuple.of(after, env, actor, limit,
        since == null ? null : since.atOffset(java.time.ZoneOffset.UTC));
    return pool.preparedQuery(SqlQueries.SELECT_RULE_AUDIT).execute(args).map(rows -> {
      List<AuditedRule> items = new ArrayList<>();
      for (Row row : rows) {
        boolean schema = row.getString("kind").equals("schema");
        items.add(new AuditedRule(schema, row.getLong("audit_seq"),
            schema ? GuardRule.schema(row) : GuardRule.policy(row)));
      }
      return items;
    });
  }

  /** Which of {@code keys} are secret in {@code env}, as PostgreSQL knows it now. */
  public Future<Set<String>> secretAmong(String env, Collection<String> keys) {
    return secretAmong(pool, env, keys);
  }

  private static Future<Set<String>> secretAmong(SqlClient client, String env, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return client.preparedQuery(SqlQueries.SELECT_SECRET_KEYS_AMONG)
        .execute(Tuple.of(env).addArrayOfString(keys.toArray(String[]::new)))
        .map(rows -> {
          Set<String> secret = new HashSet<>();
          rows.forEach(row -> secret.add(row.getString("key")));
          return secret;
        });
  }

  /**
   * Records a held write as a pending change; answers it as stored. A put of a key that PostgreSQL knows secret (made
   * secret on another node this one has not heard from yet) is sealed by {@code sealer} in the same transaction: a
   * pending change never holds a secret's clear value.
   */
  public Future<PendingChange> hold(String env, boolean single, String author, String comment, long expiresInMs,
                                    int approvalsNeeded, List<PendingChange.Op> proposed, Sealer sealer) {
    UUID id = UUID.randomUUID();
    List<String> clearPuts = proposed.stream().filter(item -> item.kind() == TxnOp.Kind.PUT && item.sealed() == null)
        .map(item -> item.key().value()).toList();
    return pool.withTransaction(conn -> secretAmong(conn, env, clearPuts)
            .compose(secret -> conn.preparedQuery(SqlQueries.INSERT_PENDING)
                .execute(Tuple.of(id, env, single, author, comment, expiresInMs).addInteger(approvalsNeeded))
                .map(inserted -> opsArgs(id, env, sealedIfSecret(env, proposed, secret, sealer))))
            .compose(opsArgs -> conn.preparedQuery(SqlQueries.INSERT_PENDING_OPS).execute(opsArgs)))
        .compose(inserted -> pending(id))
        .map(Optional::orElseThrow);
  }

  private static List<PendingChange.Op> sealedIfSecret(String env, List<PendingChange.Op> proposed, Set<String> secret,
                                                       Sealer sealer) {
    List<PendingChange.Op> ops = new ArrayList<>();
    for (PendingChange.Op op : proposed) {
      if (op.kind() == TxnOp.Kind.PUT && op.sealed() == null && secret.contains(op.key().value())) {
        String ciphertext = sealer.seal(env, op.key().value(), Json.encode(op.value())).ciphertext();
        sealer.learnSecret(env, op.key().value());
        op = new PendingChange.Op(op.kind(), op.key(), ConfigValue.MASK, op.critical(), op.comment(), op.baseVersion(),
            op.baseDeleted(), op.baseValue(), ciphertext);
      }
      ops.add(op);
    }
    return ops;
  }

  private static Tuple opsArgs(UUID id, String env, List<PendingChange.Op> ops) {
    int n = ops.size();
    Integer[] ord = new Integer[n];
    String[] op = new String[n];
    String[] key = new String[n];
    String[] value = new String[n];
    Boolean[] critical = new Boolean[n];
    String[] opComment = new String[n];
    Integer[] baseVersion = new Integer[n];
    Boolean[] baseDeleted = new Boolean[n];
    String[] baseValue = new String[n];
    String[] sealed = new String[n];
    for (int i = 0; i < n; i++) {
      PendingChange.Op item = ops.get(i);
      ord[i] = i;
      op[i] = item.kind().wire();
      key[i] = item.key().value();
      value[i] = item.value() == null ? null : Json.encode(item.value());
      critical[i] = item.critical();
      opComment[i] = item.comment();
      baseVersion[i] = item.baseVersion();
      baseDeleted[i] = item.baseDeleted();
      baseValue[i] = item.baseValue() == null ? null : Json.encode(item.baseValue());
      sealed[i] = item.sealed();
    }
    return Tuple.of(id, env).addArrayOfInteger(ord).addArrayOfString(op).addArrayOfString(key)
        .addArrayOfString(value).addArrayOfBoolean(critical).addArrayOfString(opComment).addArrayOfInteger(baseVersion)
        .addArrayOfBoolean(baseDeleted).addArrayOfString(baseValue).addArrayOfString(sealed);
  }

  public Future<Optional<PendingChange>> pending(UUID id) {
    return pool.preparedQuery(SqlQueries.SELECT_PENDING).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(PendingChange.from(rows.iterator().next())));
  }

  /**
   * Pending changes in creation order after the change {@code after} (null: from the first), of {@code env} and in
   * {@code status} unless null, only those whose every key one of {@code readable} covers unless it is null.
   */
  public Future<Page<PendingChange>> pendingPage(String env, String status, UUID after, int limit,
                                                 List<Grant> readable) {
    Tuple args = Tuple.tuple().addString(env).addString(status).addUUID(after).addInteger(limit + 1)
        .addArrayOfString(readable == null ? null : readable.stream().map(Grant::env).toArray(String[]::new))
        .addArrayOfString(readable == null ? null : readable.stream().map(Grant::prefix).toArray(String[]::new));
    return pool.preparedQuery(SqlQueries.SELECT_PENDING_PAGE).execute(args).map(rows -> {
      List<PendingChange> items = list(rows, PendingChange::from);
      boolean more = items.size() > limit;
      List<PendingChange> page = more ? items.subList(0, limit) : items;
      return new Page<>(List.copyOf(page), more ? page.get(page.size() - 1).id().toString() : null);
    });
  }

  /** What one approval did: nothing (the change is no longer pending, or they approved it already), or its status. */
  public enum Approval { REFUSED, PENDING, APPROVED }

  /**
   * Records {@code approver}'s approval; the one that reaches the count needed claims the change as approved by them
   * all ({@link Approval#APPROVED}: commit it), before it commits so that the audit log names them.
   */
  public Future<Approval> approve(UUID id, String approver) {
    return pool.preparedQuery(SqlQueries.APPROVE_PENDING).execute(Tuple.of(id, approver)).map(rows -> rows.size() == 0
        ? Approval.REFUSED
        : rows.iterator().next().getString("status").equals("approved") ? Approval.APPROVED : Approval.PENDING);
  }

  /** Makes a claimed change pending again without its last approver's approval: its commit was refused. */
  public Future<Void> release(UUID id, String approver) {
    return pool.preparedQuery(SqlQueries.RELEASE_PENDING).execute(Tuple.of(id, approver)).mapEmpty();
  }

  public Future<Void> committed(UUID id, long revision) {
    return pool.preparedQuery(SqlQueries.COMMITTED_PENDING).execute(Tuple.of(id, revision)).mapEmpty();
  }

  /** Rejects a pending change; false when it is no longer pending. */
  public Future<Boolean> reject(UUID id, String by, String reason) {
    return pool.preparedQuery(SqlQueries.REJECT_PENDING).execute(Tuple.of(id, by, reason)).map(rows -> rows.rowCount() == 1);
  }

  private static <T> List<T> list(RowSet<Row> rows, Function<Row, T> map) {
    List<T> items = new ArrayList<>();
    rows.forEach(row -> items.add(map.apply(row)));
    return items;
  }

  /** Two writers recorded the same next version at once: the second is told to try again. */
  private static <T> Future<T> concurrent(Throwable failure) {
    if (failure instanceof io.vertx.pgclient.PgException e && "23505".equals(e.getSqlState())) {
      return Future.failedFuture(new ConfigdException(Failure.CONFLICT,
          "this prefix was changed at the same moment by another request; read it again and retry"));
    }
    return Future.failedFuture(failure);
  }
}
