package io.configd.store;

import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.configd.model.Targeting;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import io.configd.model.Instance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Rollouts in PostgreSQL. Every change a rollout makes to what instances receive (its start, a new targeting, an
 * abort) is an entry of the change log with the next global revision, taken with the revision counter locked as every
 * write takes it, with its audit row, in one transaction: it is relayed, caught up, retained and audited as any change.
 * A promotion is a write of the rollout's value through the node's write pipeline (the one door of every write),
 * conditional on the version the rollout stands on.
 */
public final class RolloutStore {

  private final Pool pool;
  private final WritePipeline writes;

  /** @param writes the node's write pipeline, through which a promotion writes */
  public RolloutStore(Pool pool, WritePipeline writes) {
    this.pool = pool;
    this.writes = writes;
  }

  /** An active plan whose current step has baked. */
  public record Due(long id, int step) {
  }

  /**
   * Starts a rollout: its first change (the value for the instances the targeting names) in the change log. Fails
   * with NOT_FOUND when the key has no released value, CONFLICT when it is deleted or another rollout of it is live,
   * PRECONDITION_FAILED when the released version is not the expected one.
   */
  public Future<Rollout> start(NewRollout request) {
    String env = request.env();
    String key = request.key().value();
    // the value reaches instances before any write of it: it must satisfy the key's schema as a PUT must
    Write asWrite = new Write(env, request.key(), request.encodedValue(), false, null, request.comment(),
        request.actor(), Precondition.NONE);
    return writes.checkSchemas(asWrite).compose(valid -> pool.withTransaction(conn -> lockRevision(conn)
        .compose(head -> entry(conn, env, key).compose(entry -> {
          if (entry.isEmpty()) {
            throw new ConfigdException(Failure.NOT_FOUND, "key '" + key + "' has no released value in " + env
                + "; a rollout changes a released value for part of the fleet: PUT the key first");
          }
          if (entry.get().deleted()) {
            throw new ConfigdException(Failure.CONFLICT, "key '" + key + "' is deleted in " + env
                + "; a rollout changes a released value: PUT the key first");
          }
          if (entry.get().secret()) {
            // a rollout's value is kept, audited and served unsealed: a secret's clear value never may be
            throw new ConfigdException(Failure.CONFLICT, "key '" + key + "' is a secret in " + env + "; a secret's "
                + "value is never rolled out to part of the fleet: PUT it (sealed) for everyone");
          }
          int base = entry.get().version();
          if (request.expectedBase() != null && request.expectedBase() != base) {
            throw new ConfigdException(Failure.PRECONDITION_FAILED, "the released version of '" + key + "' is " + base
                + ", not " + request.expectedBase(), new JsonObject().put("current", base));
          }
          return conn.preparedQuery(SqlQueries.SUPERSEDE_ROLLOUTS).execute(Tuple.of(env, key, request.actor()))
              .compose(superseded -> conn.preparedQuery(SqlQueries.SELECT_LIVE_ROLLOUT_ID).execute(Tuple.of(env, key)))
              .compose(live -> {
                if (live.size() > 0) {
                  long other = live.iterator().next().getLong("id");
                  throw new ConfigdException(Failure.CONFLICT, "rollout " + other + " of '" + key + "' in " + env
                      + " is live; promote or abort it first", new JsonObject().put("rollout", other));
                }
                long revision = head + 1;
                Targeting targeting = request.targeting();
                JsonArray steps = null;
                if (!request.steps().isEmpty()) {
                  steps = new JsonArray();
                  for (Rollout.Step step : request.steps()) {
                    steps.add(step.toJson());
                  }
                }
                Tuple row = Tuple.of(env, key, request.encodedValue(), base, selector(targeting), targeting.basisPoints())
                    .addValue(steps == null ? null : steps.encode())
                    .addValue(request.steps().isEmpty() ? null : 0)
                    .addValue(request.failureThreshold())
                    .addValue(revision)
                    .addValue(request.comment())
                    .addValue(request.actor());
                return conn.preparedQuery(SqlQueries.INSERT_ROLLOUT).execute(row)
                    .map(inserted -> inserted.iterator().next().getLong("id"))
                    .compose(id -> record(conn, revision, id, env, key, base, ConfigValue.Rollout.TARGET, targeting,
                        request.actor(), describe(id, "started", targeting, request.comment()))
                        .compose(recorded -> selectForUpdate(conn, id)));
              });
        }))));
  }

  /**
   * A live rollout's new targeting, by hand ({@code step} null) or as a plan's next step (the step it reaches, only
   * from {@code fromStep}: a step already taken, by this node or another, is not taken again). Completes empty when
   * the plan is no longer at {@code fromStep} or not active.
   */
  public Future<Optional<Rollout>> retarget(long id, Targeting targeting, Integer fromStep, String actor, String why) {
    return pool.withTransaction(conn -> lockRevision(conn).compose(head -> selectForUpdate(conn, id).compose(rollout -> {
      if (fromStep != null && (rollout.state() != Rollout.State.ACTIVE || !fromStep.equals(rollout.step()))) {
        return Future.succeededFuture(Optional.<Rollout>empty());
      }
      requireLive(rollout, "retarget");
      return supersededIfStale(conn, rollout, actor).compose(current -> {
        if (!current.live()) {
          return Future.succeededFuture(Optional.of(current));
        }
        long revision = head + 1;
        Integer step = fromStep == null ? rollout.step() : Integer.valueOf(fromStep + 1);
        String description = describe(id, fromStep == null ? "retargeted" : "step " + (step + 1) + " of "
            + rollout.steps().size(), targeting, why);
        return record(conn, revision, id, rollout.env(), rollout.key(), rollout.baseVersion(),
            ConfigValue.Rollout.TARGET, targeting, actor, description)
            .compose(recorded -> conn.preparedQuery(SqlQueries.UPDATE_ROLLOUT_TARGETING)
                .execute(Tuple.of(id, selector(targeting), targeting.basisPoints(), step, revision, actor)))
            .map(rows -> Optional.of(from(rows.iterator().next())));
      });
    }))).map(result -> {
      result.ifPresent(rollout -> requireNotSuperseded(rollout));
      return result;
    });
  }

  /**
   * Ends a live rollout and brings the instances it targeted back to the released value (an 'abort' change):
   * {@code end} is ABORTED (by hand) or ROLLED_BACK (a health signal), {@code reason} says why.
   */
  public Future<Rollout> abort(long id, Rollout.State end, String reason, String actor) {
    return pool.withTransaction(conn -> lockRevision(conn).compose(head -> selectForUpdate(conn, id).compose(rollout -> {
      requireLive(rollout, "abort");
      return supersededIfStale(conn, rollout, actor).compose(current -> {
        if (!current.live()) {
          return Future.succeededFuture(current);
        }
        long revision = head + 1;
        return record(conn, revision, id, rollout.env(), rollout.key(), rollout.baseVersion(),
            ConfigValue.Rollout.ABORT, rollout.targeting(), actor,
            "rollout " + id + " " + end.wire() + ": " + reason)
            .compose(recorded -> end(conn, id, end, reason, revision, null, actor));
      });
    }))).map(RolloutStore::requireNotSuperseded);
  }

  /**
   * Releases the rollout's value to everyone: a new version of the key, written through the write pipeline on
   * condition that the released version is still the one the rollout stands on; then the rollout is promoted.
   *
   * @param written told of the version written before the rollout is marked (the node's cache: read-your-writes)
   */
  public Future<Rollout> promote(long id, String actor, String comment,
                                 Function<ConfigValue, Future<ConfigValue>> written) {
    return get(id).compose(rollout -> {
      requireLive(rollout, "promote");
      String why = comment != null ? comment : "promote rollout " + id;
      Write write = new Write(rollout.env(), ConfigKey.parse(rollout.key()), Json.encode(rollout.value()), false, null,
          why, actor, new Precondition.Version(rollout.baseVersion()));
      return writes.write(write)
          .recover(failure -> failure instanceof ConfigdException e && e.failure() == Failure.PRECONDITION_FAILED
              ? supersede(rollout, actor).compose(superseded -> Future.failedFuture(notLive(superseded, "promote")))
              : Future.failedFuture(failure))
          .compose(written)
          .compose(version -> pool.withTransaction(conn -> end(conn, id, Rollout.State.PROMOTED,
              "promoted as version " + version.version(), null, version.version(), actor)))
          // ended meanwhile (aborted as the write went): the value is released all the same
          .recover(failure -> failure instanceof ConfigdException e && e.failure() == Failure.CONFLICT
              ? get(id) : Future.failedFuture(failure));
    });
  }

  /** Pauses an active rollout (its value stays with the instances it reached; a plan stops advancing). */
  public Future<Rollout> pause(long id, String reason, String actor) {
    return running(id, Rollout.State.PAUSED, Rollout.State.ACTIVE, reason == null ? "paused by " + actor : reason,
        actor);
  }

  /** Resumes a paused rollout; a plan's current step bakes again in full. */
  public Future<Rollout> resume(long id, String actor) {
    return running(id, Rollout.State.ACTIVE, Rollout.State.PAUSED, null, actor);
  }

  private Future<Rollout> running(long id, Rollout.State to, Rollout.State from, String reason, String actor) {
    return pool.preparedQuery(SqlQueries.SET_ROLLOUT_RUNNING)
        .execute(Tuple.of(id, to.column(), reason, actor, from.column()))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(from(rows.iterator().next()))
            : get(id).map(rollout -> {
              throw new ConfigdException(Failure.CONFLICT, "rollout " + id + " is " + rollout.state().wire()
                  + "; only a" + (from == Rollout.State.ACTIVE ? "n active" : " paused") + " rollout can be "
                  + (to == Rollout.State.PAUSED ? "paused" : "resumed"), new JsonObject().put("state", rollout.state().wire()));
            }));
  }

  public Future<Rollout> get(long id) {
    return pool.preparedQuery(SqlQueries.SELECT_ROLLOUT).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        throw new ConfigdException(Failure.NOT_FOUND, "there is no rollout " + id);
      }
      return from(rows.iterator().next());
    });
  }

  /** Rollouts by id after {@code afterId}; env null for every environment, state null for every state. */
  /**
   * A page of rollouts, by id from {@code afterId} (exclusive): oldest first, or with {@code newestFirst} those below
   * it newest first (0 then means from the newest).
   */
  public Future<Page<Rollout>> list(String env, KeyPrefix prefix, Rollout.State state, long afterId, int limit,
                                    boolean newestFirst) {
    long from = newestFirst && afterId == 0 ? Long.MAX_VALUE : afterId;
    Tuple args = Tuple.of(env, from, prefix.value(), prefix.childrenFrom(), prefix.childrenTo(),
        state == null ? null : state.column()).addValue(limit + 1).addBoolean(newestFirst);
    return pool.preparedQuery(SqlQueries.SELECT_ROLLOUTS).execute(args).map(rows -> {
      List<Rollout> items = new ArrayList<>();
      rows.forEach(row -> items.add(from(row)));
      if (items.size() <= limit) {
        return new Page<>(items, null);
      }
      items.remove(limit);
      return new Page<>(items, Long.toString(items.get(limit - 1).id()));
    });
  }

  /** Active plans whose step has baked, oldest first. */
  public Future<List<Due>> due(int limit) {
    return pool.preparedQuery(SqlQueries.SELECT_DUE_ROLLOUTS).execute(Tuple.of(limit)).map(rows -> {
      List<Due> due = new ArrayList<>();
      rows.forEach(row -> due.add(new Due(row.getLong("id"), row.getInteger("step"))));
      return due;
    });
  }

  /** Active rollouts with a failure threshold, oldest first. */
  public Future<List<Long>> guarded(int limit) {
    return pool.preparedQuery(SqlQueries.SELECT_GUARDED_ROLLOUTS).execute(Tuple.of(limit)).map(rows -> {
      List<Long> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getLong("id")));
      return ids;
    });
  }

  /** Marks the live rollouts whose released version moved on as superseded; how many there were. */
  public Future<Integer> supersedeStale(int limit, String actor) {
    return pool.preparedQuery(SqlQueries.SELECT_STALE_ROLLOUTS).execute(Tuple.of(limit)).compose(rows -> {
      List<Future<RowSet<Row>>> marked = new ArrayList<>();
      rows.forEach(row -> marked.add(pool.preparedQuery(SqlQueries.SUPERSEDE_ROLLOUTS)
          .execute(Tuple.of(row.getString("env"), row.getString("key"), actor))));
      return Future.all(marked).map(done -> rows.size());
    });
  }

  /**
   * The values live rollouts of {@code env} under {@code prefix} give the instances they target, by key: each is the
   * rollout's value at the base version, with the revision of the rollout's newest change and its targeting.
   */
  public Future<List<ConfigValue>> liveValues(String env, KeyPrefix prefix) {
    return pool.preparedQuery(SqlQueries.SELECT_LIVE_VALUES)
        .execute(Tuple.of(env, prefix.value(), prefix.childrenFrom(), prefix.childrenTo()))
        .map(rows -> {
          List<ConfigValue> values = new ArrayList<>();
          rows.forEach(row -> values.add(ConfigValueRow.from(row)));
          return values;
        });
  }

  /** Whether the instance (null: an anonymous reader) receives the change: see {@link ConfigValue#reaches}. */
  public static boolean reaches(ConfigValue change, Instance instance) {
    return instance == null ? change.reaches(null, Map.of()) : change.reaches(instance.id(), instance.labels());
  }

  /**
   * What a page of current values is to an instance: each key a live rollout targets it with (from
   * {@link #liveValues}) holds the rollout's value, when the rollout stands on the version the page holds.
   */
  public static List<ConfigValue> overlay(List<ConfigValue> items, List<ConfigValue> live, Instance instance) {
    Map<String, ConfigValue> targeted = new HashMap<>();
    for (ConfigValue value : live) {
      if (reaches(value, instance)) {
        targeted.put(value.key(), value);
      }
    }
    if (targeted.isEmpty()) {
      return items;
    }
    List<ConfigValue> overlaid = new ArrayList<>(items.size());
    for (ConfigValue item : items) {
      ConfigValue rollout = targeted.get(item.key());
      overlaid.add(rollout != null && rollout.version() == item.version() && !item.deleted() ? rollout : item);
    }
    return overlaid;
  }

  // ---- inside a transaction

  private static Future<Long> lockRevision(SqlConnection conn) {
    return conn.preparedQuery(SqlQueries.LOCK_REVISION).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  private record Entry(int version, boolean deleted, boolean secret) {
  }

  private static Future<Optional<Entry>> entry(SqlConnection conn, String env, String key) {
    return conn.preparedQuery(SqlQueries.SELECT_ENTRY_STATE).execute(Tuple.of(env, key)).map(rows -> rows.size() == 0
        ? Optional.empty()
        : Optional.of(new Entry(rows.iterator().next().getInteger("version"), rows.iterator().next().getBoolean("deleted"),
            rows.iterator().next().getBoolean("secret"))));
  }

  /** The change log's entry of a rollout's change at {@code revision}, its audit row, and the counter moved to it. */
  private static Future<Void> record(SqlConnection conn, long revision, long id, String env, String key, int base,
                                     String kind, Targeting targeting, String actor, String description) {
    return conn.preparedQuery(SqlQueries.INSERT_ROLLOUT_CHANGE)
        .execute(Tuple.of(revision, id, kind, selector(targeting), targeting.basisPoints(), actor))
        .compose(v -> conn.preparedQuery(SqlQueries.INSERT_ROLLOUT_CONFIG_CHANGE).execute(Tuple.of(revision, env, key, base)))
        .compose(inserted -> inserted.rowCount() == 1 ? Future.succeededFuture() : Future.failedFuture(
            new IllegalStateException("version " + base + " of " + key + " in " + env
                + ", which the rollout stands on, is no longer in the history")))
        .compose(v -> conn.preparedQuery(SqlQueries.INSERT_ROLLOUT_AUDIT)
            .execute(Tuple.of(revision, actor, kind, description, id)))
        .compose(v -> conn.preparedQuery(SqlQueries.SET_REVISION).execute(Tuple.of(revision)))
        .mapEmpty();
  }

  private static Future<Rollout> selectForUpdate(SqlConnection conn, long id) {
    return conn.preparedQuery(SqlQueries.SELECT_ROLLOUT_FOR_UPDATE).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        throw new ConfigdException(Failure.NOT_FOUND, "there is no rollout " + id);
      }
      return from(rows.iterator().next());
    });
  }

  /** The rollout as it is once checked against the released version: superseded (and so marked) when that moved on. */
  private static Future<Rollout> supersededIfStale(SqlConnection conn, Rollout rollout, String actor) {
    return entry(conn, rollout.env(), rollout.key()).compose(entry -> {
      if (entry.isPresent() && entry.get().version() == rollout.baseVersion()) {
        return Future.succeededFuture(rollout);
      }
      return conn.preparedQuery(SqlQueries.SUPERSEDE_ROLLOUTS).execute(Tuple.of(rollout.env(), rollout.key(), actor))
          .compose(marked -> selectForUpdate(conn, rollout.id()));
    });
  }

  private Future<Rollout> supersede(Rollout rollout, String actor) {
    return pool.withTransaction(conn -> supersededIfStale(conn, rollout, actor));
  }

  private static Future<Rollout> end(SqlConnection conn, long id, Rollout.State state, String reason, Long revision,
                                     Integer promoted, String actor) {
    return conn.preparedQuery(SqlQueries.END_ROLLOUT)
        .execute(Tuple.of(id, state.column(), reason, revision, promoted, actor))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new ConfigdException(Failure.CONFLICT, "rollout " + id + " ended meanwhile");
          }
          return from(rows.iterator().next());
        });
  }

  private static void requireLive(Rollout rollout, String action) {
    if (!rollout.live()) {
      throw notLive(rollout, action);
    }
  }

  private static Rollout requireNotSuperseded(Rollout rollout) {
    if (rollout.state() == Rollout.State.SUPERSEDED) {
      throw notLive(rollout, "change");
    }
    return rollout;
  }

  private static ConfigdException notLive(Rollout rollout, String action) {
    return new ConfigdException(Failure.CONFLICT, "rollout " + rollout.id() + " is " + rollout.state().wire()
        + (rollout.stopReason() == null ? "" : " (" + rollout.stopReason() + ")") + "; only an active or paused rollout "
        + "can be " + (action.endsWith("e") ? action + "d" : action + "ed"),
        new JsonObject().put("state", rollout.state().wire()));
  }

  private static String describe(long id, String what, Targeting targeting, String comment) {
    StringBuilder text = new StringBuilder("rollout ").append(id).append(' ').append(what).append(": ");
    if (targeting.selector() != null) {
      text.append(targeting.selector());
      if (targeting.basisPoints() != null) {
        text.append(", ");
      }
    }
    if (targeting.basisPoints() != null) {
      text.append(Targeting.percentage(targeting.basisPoints())).append(" %");
    }
    if (comment != null) {
      text.append(" (").append(comment).append(')');
    }
    return text.toString();
  }

  private static String selector(Targeting targeting) {
    return targeting.selector() == null ? null : targeting.selector().toString();
  }

  static Rollout from(Row row) {
    String stepsText = row.getString("steps");
    List<Rollout.Step> steps = new ArrayList<>();
    if (stepsText != null) {
      new JsonArray(stepsText).forEach(step -> steps.add(Rollout.Step.fromJson((JsonObject) step)));
    }
    OffsetDateTime stepStarted = row.getOffsetDateTime("step_started_at");
    return new Rollout(row.getLong("id"), row.getString("env"), row.getString("key"),
        Json.decodeValue(row.getString("value")), row.getInteger("base_version"),
        Rollout.targeting(row.getString("selector"), row.getInteger("basis_points")), List.copyOf(steps),
        row.getInteger("step"), stepStarted == null ? null : stepStarted.toInstant(), row.getInteger("failure_threshold"),
        Rollout.State.fromColumn(row.getString("state")), row.getString("stop_reason"), row.getLong("first_revision"),
        row.getLong("revision"), row.getInteger("promoted_version"), row.getString("comment"),
        row.getOffsetDateTime("created_at").toInstant(), row.getString("created_by"),
        row.getOffsetDateTime("updated_at").toInstant(), row.getString("updated_by"));
  }
}
