package io.configd.store;

/** Every SQL statement configd runs against PostgreSQL. Values travel as JSON text and are cast here. */
final class SqlQueries {

  private SqlQueries() {
  }

  /**
   * Records a batch of writes and transactions in one statement (the function of
   * V9__write_batches_and_transactions.sql), in autocommit: the global revision row stays locked only while
   * PostgreSQL runs and commits it. One row per op; see the function for the outcomes.
   */
  static final String WRITE_BATCH = """
      select o_ord, o_outcome, o_version, o_revision, o_critical, o_created_at, o_cur_version, o_cur_deleted, o_txn,
        o_txn_last, o_secret
      from configd_write_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""";

  /** Outcomes of an op in configd_write_batch. */
  static final String OUTCOME_OK = "ok";
  static final String OUTCOME_PRECONDITION = "CF412";
  static final String OUTCOME_ABSENT = "CF404";
  static final String OUTCOME_ABORTED = "aborted";
  /** A put on a secret key came with its clear value: the pipeline seals it and records it again. */
  static final String OUTCOME_SEAL = "CFSEAL";
  /** secret: false on a secret key: a key stays secret. */
  static final String OUTCOME_STICKY = "CFSTICKY";

  static final String SELECT_ENTRY = """
      select key, env, value::text as value, version, revision, deleted, critical, comment, updated_at, updated_by,
        secret, sealed
      from config_entry where env = $1 and key = $2 and version > 0""";

  /** Current, not deleted entries under a prefix (the key itself and the keys below it), after a key. */
  static final String SELECT_ENTRIES = """
      select key, env, value::text as value, version, revision, deleted, critical, comment, updated_at, updated_by,
        secret, sealed
      from config_entry
      where env = $1 and not deleted and key > $2
        and ($3 = '' or key = $3 or (key >= $4 and key < $5))
        and ($7::text[] is null or exists (
          select 1 from unnest($7::text[]) as g(prefix)
          where g.prefix = '' or key = g.prefix or (key >= g.prefix || '.' and key < g.prefix || '/')))
      order by key limit $6""";

  static final String SELECT_VERSION = """
      select key, env, value::text as value, version, revision, deleted, critical, comment,
        created_at as updated_at, created_by as updated_by, txn, txn_last, secret, sealed
      from config_version where env = $1 and key = $2 and version = $3""";

  /** Versions of a key, newest first, below a version (exclusive). */
  static final String SELECT_VERSIONS = """
      select key, env, value::text as value, version, revision, deleted, critical, comment,
        created_at as updated_at, created_by as updated_by, txn, txn_last, secret, sealed
      from config_version where env = $1 and key = $2 and version < $3
      order by version desc limit $4""";

  /**
   * Changes after a revision, in revision order, up to the head revision read in the same snapshot:
   * every revision up to the head has committed, because revisions are taken in commit order.
   * Always one row at least: with no change, a row holding only the head, with the epoch and the compaction
   * watermark of the same snapshot (below it, changes may have been pruned).
   */
  static final String SELECT_CHANGES = """
      with head as (select revision, epoch, compacted_revision from config_revision where id = 1)
      select head.revision as head, head.epoch, head.compacted_revision, c.* from head left join lateral (
        select c.key, c.env, c.value::text as value, c.version, c.revision, c.deleted, c.critical, c.comment,
          c.updated_at, c.updated_by, c.txn, c.txn_last, c.rollout_id, c.rollout_kind, c.rollout_selector,
          c.rollout_basis_points, c.secret, c.sealed
        from change_message c
        where c.revision > $1 and c.revision <= head.revision
          and c.env = $2 and ($3 = '' or c.key = $3 or (c.key >= $4 and c.key < $5))
          and ($7::text[] is null or exists (
            select 1 from unnest($7::text[]) as g(prefix)
            where g.prefix = '' or c.key = g.prefix or (c.key >= g.prefix || '.' and c.key < g.prefix || '/')))
        order by c.revision limit $6
      ) c on true
      order by c.revision""";

  /**
   * Current entries under a prefix after a key, with the head revision of the same snapshot: the
   * entries hold every change up to that revision. Always one row at least, with the epoch.
   */
  static final String SELECT_SNAPSHOT = """
      with head as (select revision, epoch from config_revision where id = 1)
      select head.revision as head, head.epoch, e.* from head left join lateral (
        select key, env, value::text as value, version, revision, deleted, critical, comment, updated_at, updated_by,
          secret, sealed
        from config_entry
        where env = $1 and not deleted and version > 0 and key > $2
          and ($3 = '' or key = $3 or (key >= $4 and key < $5))
        order by key limit $6
      ) e on true
      order by e.key""";

  /**
   * Every change of every environment after revision $1 and before $2, in revision order: the revisions a node's
   * propagation misses while it holds a later one (see RevisionOrder). All of them have committed, since a later
   * revision has.
   */
  static final String SELECT_CHANGES_BETWEEN = """
      select c.key, c.env, c.value::text as value, c.version, c.revision, c.deleted, c.critical, c.comment,
        c.updated_at, c.updated_by, c.txn, c.txn_last, c.rollout_id, c.rollout_kind, c.rollout_selector,
        c.rollout_basis_points, c.secret, c.sealed
      from change_message c
      where c.revision > $1 and c.revision < $2
      order by c.revision limit $3""";

  static final String SELECT_HEAD_REVISION = "select revision from config_revision where id = 1";

  static final String SELECT_HEAD = "select revision, epoch, compacted_revision from config_revision where id = 1";

  // ---- Epochs: a restored database never rewinds its readers (issue 14, item 5) ----

  /** The head revision and the epoch, locking the row: the start-up check compares them with Kafka's newest record. */
  static final String SELECT_EPOCH_FOR_UPDATE = "select revision, epoch from config_revision where id = 1 for update";

  /**
   * Starts a new epoch: at least the old one plus one, and the head moved up to the newest revision Kafka carries, so
   * that no revision of the lost history is handed out again. The restored backlog is relayed as any backlog (in the
   * new epoch; readers drop what they hold already by revision).
   */
  static final String START_EPOCH = """
      update config_revision set epoch = greatest(epoch + 1, $1), revision = greatest(revision, $2) where id = 1
      returning revision, epoch""";

  // ---- Retention: the change log and the audit log pruned, each key's current version kept (issue 14, item 6) ----

  /** One pruner at a time per schema, for the length of its transaction: nodes that find it taken skip the round. */
  static final String TRY_RETENTION_LOCK = """
      select pg_try_advisory_xact_lock(hashtextextended(current_schema() || '.configd-retention', 0)) as locked""";

  /**
   * The compaction watermark and how far the next batch may prune: past the revisions that are too old ($1: age in
   * ms) or beyond the newest $2, at most $3 revisions further, and never up to a change the publisher has not relayed
   * or the audit log not recorded yet (both read the version history), nor to a version whose successor the audit log
   * has not recorded. 0 disables a limit.
   */
  static final String SELECT_PRUNE_BOUNDS = """
      with r as (select revision, compacted_revision as compacted from config_revision where id = 1),
      wanted as (
        select r.compacted, least(r.compacted + $3,
          greatest(
            case when $2 > 0 then r.revision - $2 else 0 end,
            case when $1 > 0 then coalesce((select max(v.revision) from config_version v
              where v.revision > r.compacted and v.revision <= r.compacted + $3
                and v.created_at < now() - $1 * interval '1 millisecond'), 0) else 0 end),
          (select relayed.revision from config_relay relayed where relayed.id = 1)) as target
        from r
      )
      select w.compacted, least(w.target,
          coalesce((select min(c.revision) - 1 from config_change c
            where c.revision > w.compacted and c.revision <= w.target
              and not exists (select 1 from audit_log a where a.revision = c.revision)), w.target),
          -- nor past a version whose successor the audit log has not recorded yet (its row takes the old value from
          -- it): PRUNE_VERSIONS keeps such a version, and a watermark moved past it would keep it for ever
          coalesce((select min(v.revision) - 1 from config_version v
            join config_version n on n.env = v.env and n.key = v.key and n.version = v.version + 1
            where v.revision > w.compacted and v.revision <= w.target
              and not exists (select 1 from audit_log a where a.revision = n.revision)), w.target)) as target
      from wanted w""";

  /** The change log's rows in ($1, $2], but each key's current version. */
  static final String PRUNE_CHANGES = """
      delete from config_change c where c.revision > $1 and c.revision <= $2
        and not exists (select 1 from config_entry e where e.env = c.env and e.key = c.key and e.version = c.version)""";

  /**
   * The version history's rows in ($1, $2], but each key's current version, a version whose successor the audit
   * log has not recorded yet (its row takes the old value from it) and a version a rollout's later change stands on.
   */
  static final String PRUNE_VERSIONS = """
      delete from config_version v where v.revision > $1 and v.revision <= $2
        and not exists (select 1 from config_entry e where e.env = v.env and e.key = v.key and e.version = v.version)
        and not exists (select 1 from config_change c where c.env = v.env and c.key = v.key and c.version = v.version)
        and not exists (select 1 from config_version n where n.env = v.env and n.key = v.key and n.version = v.version + 1
          and not exists (select 1 from audit_log a where a.revision = n.revision))""";

  /** Raised last in the pruning transaction: the counter's row is locked only while it commits. */
  static final String RAISE_COMPACTED = """
      update config_revision set compacted_revision = $2 where id = 1 and compacted_revision = $1""";

  /**
   * At most $3 audit rows older than $1 ms or beyond the newest $2 revisions, never above the change log's watermark
   * (the audit log keeps at least what the change log keeps) and never the row of a key's current version.
   */
  static final String PRUNE_AUDIT = """
      delete from audit_log where revision in (
        select a.revision from audit_log a, config_revision r
        where r.id = 1 and a.revision <= r.compacted_revision
          and (($1 > 0 and a.changed_at < now() - $1 * interval '1 millisecond') or ($2 > 0 and a.revision <= r.revision - $2))
          and not exists (select 1 from config_entry e where e.env = a.env and e.key = a.key and e.version = a.version)
        order by a.revision limit $3)""";

  static final String PING = "select 1";

  // ---- The change stream: outbox relay, audit log, notifications (issue 4) ----

  /**
   * One statement per relay batch: moves the watermark (every revision up to it is in Kafka) from $1, the value the
   * relay last read, to $2, what Kafka acknowledged since; then returns the watermark now stored and, in revision
   * order, the next changes after it with what the change message carries. When the stored watermark is not $1
   * (another leader moved it, or it was reset), it is left as it is and the relay continues from it. Always one row
   * at least: with nothing to relay, a row holding only the watermark.
   * The next revisions are taken from the change log's index first, then each change read by its revision: joined
   * plainly, a plan made while the tables were all but empty (the relay's connection keeps it) hashed the whole
   * history for every batch once config_change lost its foreign key (V21), which had told the planner that a change
   * joins exactly one version (2.3 s a batch at 1.4 million versions, the relay falling ever further behind).
   */
  static final String MARK_AND_SELECT_UNPUBLISHED = """
      with mark as (
        update config_relay set revision = $2 where id = 1 and revision = $1 returning revision
      ),
      relayed as (
        select coalesce((select revision from mark), (select revision from config_relay where id = 1)) as revision
      )
      select relayed.revision as relayed, c.* from relayed left join lateral (
        select c.revision, c.env, c.key, c.version, c.value::text as value, c.deleted, c.critical, c.comment,
          c.updated_at, c.updated_by, c.txn, c.txn_last, c.rollout_id, c.rollout_kind, c.rollout_selector,
          c.rollout_basis_points, c.secret, c.sealed
        from (select n.revision from config_change n where n.revision > relayed.revision
              order by n.revision limit $3) n
        cross join lateral (select * from change_message m where m.revision = n.revision limit 1) c
      ) c on true
      order by c.revision""";

  /** How many changes wait for the relay, and the oldest of them (revisions follow commit order). */
  static final String SELECT_BACKLOG = """
      with relayed as (select revision from config_relay where id = 1),
      oldest as (
        select c.revision, c.updated_at as created_at from relayed, change_message c
        where c.revision > relayed.revision order by c.revision limit 1
      )
      select (select count(*) from relayed, config_change c where c.revision > relayed.revision) as size,
        (select revision from oldest) as oldest_revision, (select created_at from oldest) as oldest_at""";

  /** The relay's leadership: a session lock, released when its connection ends. One lock per schema. */
  static final String TRY_PUBLISHER_LOCK = """
      select pg_try_advisory_lock(hashtextextended(current_schema() || '.configd-publisher', 0)) as locked""";

  /**
   * The audit rows of a poll's revisions in one statement, from the version history (comment, previous value, the
   * transaction); once per revision. Each revision's version and its previous one are looked up by index, one by one
   * (the lateral with its limit, the scalar subquery): joined plainly, the planner hashed the whole history for a
   * poll's few hundred revisions (46 ms a statement at 27,000 versions, 2 ms this way; at 1.2 million versions it
   * chose the indexes itself).
   */
  static final String RECORD_AUDIT = """
      insert into audit_log (revision, env, key, actor, previous_version, version, old_value, new_value, deleted,
        critical, comment, changed_at, txn, txn_last, approved_by, pending_id, secret)
      select v.revision, v.env, v.key, v.created_by, nullif(v.version - 1, 0), v.version,
        (select p.value from config_version p where p.env = v.env and p.key = v.key and p.version = v.version - 1),
        v.value, v.deleted, v.critical, v.comment, v.created_at, v.txn, v.txn_last, a.decided_by, a.id, v.secret
      from unnest($1::bigint[]) as r(revision)
      cross join lateral (select * from config_version v where v.revision = r.revision limit 1) v
      -- an approved pending change is marked approved before it commits: its version is the one after its base
      left join lateral (
        select c.id, c.decided_by from pending_op o join pending_change c on c.id = o.pending
        where o.env = v.env and o.key = v.key and o.base_version = v.version - 1 and c.status = 'approved'
          and c.author = v.created_by
        order by c.decided_at desc limit 1) a on true
      on conflict (revision) do nothing""";

  /** Audit rows after a revision, oldest first, filtered by env, key prefix, actor and time when given. */
  static final String SELECT_AUDIT = """
      select revision, env, key, actor, previous_version, version, old_value::text as old_value,
        new_value::text as new_value, deleted, critical, comment, changed_at, recorded_at, txn, txn_last,
        approved_by, pending_id, secret
      from audit_log
      where revision > $1
        and ($2::text is null or env = $2)
        and ($3 = '' or key = $3 or (key >= $4 and key < $5))
        and ($6::text is null or actor = $6)
        and ($7::timestamptz is null or changed_at >= $7)
        and ($9::text[] is null or exists (
          select 1 from unnest($9::text[], $10::text[]) as g(env, prefix)
          where (g.env = '*' or g.env = audit_log.env)
            and (g.prefix = '' or key = g.prefix or (key >= g.prefix || '.' and key < g.prefix || '/'))))
      order by revision limit $8""";

  /** A poll's alerts in one statement (arrays: revision, webhook, env, key, payload). */
  static final String INSERT_NOTIFICATIONS = """
      insert into notification (revision, webhook, env, key, payload)
      select a.revision, a.webhook, a.env, a.key, a.payload::jsonb
      from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) as a(revision, webhook, env, key, payload)
      on conflict (revision, webhook) do nothing""";

  /**
   * Claims a webhook's due alerts, oldest first: counts the attempt and pushes the next attempt past the
   * lease, so that another node (or this one after a crash) retries only if this attempt never finishes.
   */
  static final String CLAIM_DUE_NOTIFICATIONS = """
      update notification n set attempts = n.attempts + 1,
        next_attempt_at = now() + $3::int * interval '1 millisecond'
      from (
        select revision, webhook from notification
        where webhook = $1 and status = 'pending' and next_attempt_at <= now()
        order by revision limit $2 for update skip locked
      ) due
      where n.revision = due.revision and n.webhook = due.webhook
      returning n.revision, n.payload::text as payload, n.attempts""";

  static final String RECORD_DELIVERED = """
      with attempt as (
        insert into notification_attempt (revision, webhook, attempt, status_code) values ($1, $2, $3, $4)
        on conflict do nothing
      )
      update notification set status = 'delivered', last_error = null, finished_at = now()
      where revision = $1 and webhook = $2""";

  static final String RECORD_RETRY = """
      with attempt as (
        insert into notification_attempt (revision, webhook, attempt, status_code, error) values ($1, $2, $3, $4, $5)
        on conflict do nothing
      )
      update notification set last_error = $5, next_attempt_at = now() + $6::int * interval '1 millisecond'
      where revision = $1 and webhook = $2""";

  static final String RECORD_FAILED = """
      with attempt as (
        insert into notification_attempt (revision, webhook, attempt, status_code, error) values ($1, $2, $3, $4, $5)
        on conflict do nothing
      )
      update notification set status = 'failed', last_error = $5, finished_at = now()
      where revision = $1 and webhook = $2""";

  // ---- Access control (issue 8) ----

  static final String INSERT_TOKEN = """
      insert into api_token (id, name, token_hash, grants, created_by, expires_at)
      values ($1, $2, $3, cast($4 as text)::jsonb, $5, $6)
      returning created_at""";

  /**
   * The bootstrap admin token, only when there is no token at all. The transaction-scoped advisory lock
   * (one per schema) makes nodes that start together on an empty database create exactly one.
   */
  static final String LOCK_BOOTSTRAP = """
      select pg_advisory_xact_lock(hashtextextended(current_schema() || '.configd-bootstrap', 0))""";

  static final String INSERT_TOKEN_IF_NONE = """
      insert into api_token (id, name, token_hash, grants, created_by)
      select $1, $2, $3, cast($4 as text)::jsonb, $5
      where not exists (select 1 from api_token)""";

  static final String SELECT_TOKEN_BY_HASH = """
      select id, name, grants::text as grants, expires_at, revoked_at from api_token where token_hash = $1""";

  static final String TOUCH_TOKEN = "update api_token set last_used_at = now() where id = $1";

  /** A page of tokens in creation order after the token $1 (null: from the first), at most $2; never a hash. */
  static final String SELECT_TOKENS = """
      select id, name, grants::text as grants, created_at, created_by, expires_at, revoked_at, last_used_at
      from api_token
      where $1::uuid is null or (created_at, id) > (select created_at, id from api_token where id = $1)
      order by created_at, id limit $2""";

  /** Revokes a token once; a token already revoked keeps its first revocation time. */
  static final String REVOKE_TOKEN = """
      update api_token set revoked_at = coalesce(revoked_at, now()) where id = $1
      returning id, name, grants::text as grants, created_at, created_by, expires_at, revoked_at, last_used_at""";

  // ---- Rollouts: a value for part of the fleet, widened step by step, promoted or aborted (issue 16) ----

  static final String ROLLOUT_COLUMNS = """
      id, env, key, value::text as value, base_version, selector, basis_points, steps::text as steps, step,
      step_started_at, failure_threshold, state, stop_reason, first_revision, revision, promoted_version, comment,
      created_at, created_by, updated_at, updated_by""";

  /** The revision counter, locked: a rollout's change takes the next revision in commit order, as every write does. */
  static final String LOCK_REVISION = "select revision from config_revision where id = 1 for update";

  static final String SET_REVISION = "update config_revision set revision = $1 where id = 1";

  /** The key's current entry (a tombstone too), read while the revision counter is locked, so no write can pass it. */
  static final String SELECT_ENTRY_STATE = """
      select version, deleted, critical, secret from config_entry where env = $1 and key = $2 and version > 0""";

  /**
   * Live rollouts of a key standing on a version that is no longer released: every instance has the newer one. A newer
   * version holding the rollout's value is its promotion (whoever marks it first, the promotion or the leader's sweep).
   */
  static final String SUPERSEDE_ROLLOUTS = """
      update rollout r set
        state = case when e.value = r.value and not e.deleted then 'promoted' else 'superseded' end,
        promoted_version = case when e.value = r.value and not e.deleted then e.version end,
        stop_reason = case when e.value = r.value and not e.deleted then 'promoted as version ' || e.version
          else 'version ' || e.version || ' was released meanwhile' end,
        updated_at = now(), updated_by = $3
      from config_entry e
      where r.env = $1 and r.key = $2 and r.state in ('active', 'paused')
        and e.env = r.env and e.key = r.key and e.version <> r.base_version""";

  static final String SELECT_LIVE_ROLLOUT_ID = """
      select id from rollout where env = $1 and key = $2 and state in ('active', 'paused')""";

  static final String INSERT_ROLLOUT = """
      insert into rollout (env, key, value, base_version, selector, basis_points, steps, step, step_started_at,
        failure_threshold, state, first_revision, revision, comment, created_by, updated_by)
      values ($1, $2, cast($3 as text)::jsonb, $4, $5, $6, cast($7 as text)::jsonb, $8,
        case when $8::int is null then null else now() end, $9, 'active', $10, $10, $11, $12, $12)
      returning id""";

  static final String INSERT_ROLLOUT_CHANGE = """
      insert into rollout_change (revision, rollout, kind, selector, basis_points, created_by)
      values ($1, $2, $3, $4, $5, $6)""";

  /**
   * The change log's row of a rollout's change: it names the released version the rollout stands on, and holds that
   * version's row (key share, as the foreign key did until V21) until it commits, so that retention cannot prune it
   * meanwhile (its delete waits, then the history's delete trigger sees this change and refuses). No row inserted: the
   * version is gone.
   */
  static final String INSERT_ROLLOUT_CONFIG_CHANGE = """
      insert into config_change (revision, env, key, version)
      select $1, v.env, v.key, v.version from config_version v where v.env = $2 and v.key = $3 and v.version = $4
      for key share of v""";

  /**
   * The audit row of a rollout's change, written with it (the audit consumer finds it there): a 'target' goes from the
   * released value to the rollout's, an 'abort' back.
   */
  static final String INSERT_ROLLOUT_AUDIT = """
      insert into audit_log (revision, env, key, actor, previous_version, version, old_value, new_value, deleted,
        critical, comment, changed_at)
      select $1, r.env, r.key, $2, r.base_version, r.base_version,
        case when $3 = 'target' then v.value else r.value end, case when $3 = 'target' then r.value else v.value end,
        false, v.critical, $4, now()
      from rollout r join config_version v on v.env = r.env and v.key = r.key and v.version = r.base_version
      where r.id = $5
      on conflict (revision) do nothing""";

  static final String SELECT_ROLLOUT_FOR_UPDATE = "select " + ROLLOUT_COLUMNS + " from rollout where id = $1 for update";

  static final String SELECT_ROLLOUT = "select " + ROLLOUT_COLUMNS + " from rollout where id = $1";

  /** A new targeting (a step, or by hand): $4 the step reached (null: no plan), which starts its bake now. */
  static final String UPDATE_ROLLOUT_TARGETING = """
      update rollout set selector = $2, basis_points = $3, step = $4,
        step_started_at = case when $4::int is null then null else now() end, revision = $5, updated_at = now(),
        updated_by = $6
      where id = $1
      """ + " returning " + ROLLOUT_COLUMNS;

  /** Ends a live rollout: promoted, aborted, rolled back or superseded. */
  static final String END_ROLLOUT = """
      update rollout set state = $2, stop_reason = $3, revision = coalesce($4, revision), promoted_version = $5,
        updated_at = now(), updated_by = $6
      where id = $1 and state in ('active', 'paused')
      """ + " returning " + ROLLOUT_COLUMNS;

  /** Pauses ($2 'paused' from 'active') or resumes ($2 'active' from 'paused': the step's bake starts again). */
  static final String SET_ROLLOUT_RUNNING = """
      update rollout set state = $2, stop_reason = $3,
        step_started_at = case when $2 = 'active' and step is not null then now() else step_started_at end,
        updated_at = now(), updated_by = $4
      where id = $1 and state = $5
      """ + " returning " + ROLLOUT_COLUMNS;

  /** Rollouts of an environment (all when $1 is null) under a prefix, in a state ($6, all when null), after an id. */
  static final String SELECT_ROLLOUTS = "select " + ROLLOUT_COLUMNS + """

      from rollout
      where ($1::text is null or env = $1) and (case when $8 then id < $2 else id > $2 end)
        and ($3 = '' or key = $3 or (key >= $4 and key < $5))
        and ($6::text is null or state = $6)
      order by case when $8 then -id else id end limit $7""";

  /** Active plans whose current step has baked (by the database's clock, which every node shares). */
  static final String SELECT_DUE_ROLLOUTS = """
      select id, step from rollout
      where state = 'active' and steps is not null
        and step_started_at + ((steps->step->>'bakeMs')::bigint * interval '1 millisecond') <= now()
      order by id limit $1""";

  /** Active rollouts that roll back on failures reported against them: the leader watches their health. */
  static final String SELECT_GUARDED_ROLLOUTS = """
      select id from rollout where state = 'active' and failure_threshold is not null order by id limit $1""";

  /** Live rollouts whose released version moved on (a PUT meanwhile), for the leader to mark superseded. */
  static final String SELECT_STALE_ROLLOUTS = """
      select r.env, r.key from rollout r join config_entry e on e.env = r.env and e.key = r.key
      where r.state in ('active', 'paused') and e.version <> r.base_version
      limit $1""";

  /**
   * The live rollouts of an environment under a prefix that still stand on the released version, with what their
   * value is to a targeted instance: the overlay of a snapshot or a read that names its instance.
   */
  static final String SELECT_LIVE_VALUES = """
      select r.key, r.env, r.value::text as value, r.base_version as version, r.revision, false as deleted, e.critical,
        r.comment, rc.created_at as updated_at, rc.created_by as updated_by, r.id as rollout_id,
        'target' as rollout_kind, r.selector as rollout_selector, r.basis_points as rollout_basis_points
      from rollout r
      join config_entry e on e.env = r.env and e.key = r.key and e.version = r.base_version
      join rollout_change rc on rc.revision = r.revision
      where r.env = $1 and r.state in ('active', 'paused')
        and ($2 = '' or r.key = $2 or (r.key >= $3 and r.key < $4))
      order by r.key""";
  // ---- instances (V13__instances.sql)

  /** One instance as this node knows it: connected ($10 false) or gone from it ($10 true). */
  static final String UPSERT_INSTANCE = """
      insert into instance_presence (instance_id, node, app, labels, transports, watches, acks, connected_at, last_seen,
        gone_at)
      values ($1, $2, $3, cast($4 as text)::jsonb, $5::text[], cast($6 as text)::jsonb, cast($7 as text)::jsonb, $8,
        now(), case when $9 then now() end)
      on conflict (instance_id, node) do update set app = excluded.app, labels = excluded.labels,
        transports = excluded.transports, watches = excluded.watches, acks = excluded.acks,
        connected_at = excluded.connected_at, last_seen = now(), gone_at = excluded.gone_at""";

  /** The node's heartbeat: the instances still connected to it were seen now. */
  static final String REFRESH_INSTANCES = """
      update instance_presence set last_seen = now()
      where node = $1 and gone_at is null and instance_id = any($2::text[])""";

  /** A node that starts or stops: whatever it had recorded as connected has left it. */
  static final String NODE_INSTANCES_GONE = """
      update instance_presence set gone_at = now() where node = $1 and gone_at is null""";

  /** Instances gone (or whose node stopped refreshing them) longer ago than $1 ms are forgotten. */
  static final String FORGET_INSTANCES = """
      delete from instance_presence where coalesce(gone_at, last_seen) < now() - $1::float8 * interval '1 millisecond'""";

  /**
   * The instances watching something of env $1 that overlaps the prefix $2 (a watch above it or below it), after the
   * id $3, one row each (the connected one when it has several: one per node), connected only ($5 'connected'), gone
   * only ('gone') or both (null); a row is connected while its node refreshed it in the last $4 ms.
   */
  static final String SELECT_INSTANCES = """
      select * from (
        select distinct on (instance_id) instance_id, node, app, labels::text as labels, transports,
          watches::text as watches, (acks -> $1)::text as acked, connected_at, last_seen, gone_at,
          (gone_at is null and last_seen > now() - $4::float8 * interval '1 millisecond') as connected
        from instance_presence
        where instance_id > $3 and exists (
          select 1 from jsonb_array_elements(watches) w
          where w ->> 'env' = $1 and ($2 = '' or w ->> 'prefix' = '' or w ->> 'prefix' = $2
            or starts_with(w ->> 'prefix', $2 || '.') or starts_with($2, (w ->> 'prefix') || '.')))
        order by instance_id, connected desc, last_seen desc) one
      where $5::text is null or connected = ($5 = 'connected')
      order by instance_id limit $6""";

  /**
   * The instances whose watches cover the key $2 of env $1, one row each as in SELECT_INSTANCES, with the version of
   * the key they applied (null: none acknowledged) and the revision they acknowledged in the env.
   */
  static final String SELECT_KEY_INSTANCES = """
      select distinct on (instance_id) instance_id, node, app, labels::text as labels,
        (acks -> $1 -> 'keys' ->> $2)::bigint as applied, (acks -> $1 ->> 'revision')::bigint as revision,
        (acks -> $1 ->> 'failures')::bigint as failures, last_seen, gone_at,
        (gone_at is null and last_seen > now() - $3::float8 * interval '1 millisecond') as connected
      from instance_presence
      where exists (
        select 1 from jsonb_array_elements(watches) w
        where w ->> 'env' = $1 and (w ->> 'prefix' = '' or w ->> 'prefix' = $2 or starts_with($2, (w ->> 'prefix') || '.')))
      order by instance_id, connected desc, last_seen desc""";

  // ---- Guarded changes: schemas, approval policies, pending changes (issue 17 items 1-2) ----

  /** The newest version of every (prefix, env) schema, removals included (document null). */
  static final String SELECT_CURRENT_SCHEMAS = """
      select distinct on (prefix, env) prefix, env, version, document::text as document, comment, created_at, created_by
      from config_schema order by prefix, env, version desc""";

  /** A schema's next version; two concurrent writers of one (prefix, env) collide on the key (23505). */
  static final String INSERT_SCHEMA = """
      insert into config_schema (prefix, env, version, document, comment, created_by)
      select $1, $2, coalesce(max(version), 0) + 1, cast($3 as text)::jsonb, $4, $5
      from config_schema where prefix = $1 and env = $2
      returning prefix, env, version, document::text as document, comment, created_at, created_by""";

  /** A schema's versions below $3, newest first, at most $4. */
  static final String SELECT_SCHEMA_VERSIONS = """
      select prefix, env, version, document::text as document, comment, created_at, created_by
      from config_schema where prefix = $1 and env = $2 and version < $3 order by version desc limit $4""";

  /**
   * Every version of every schema and policy after the audit number $1, in the order they were recorded: in one
   * environment and the every-environment ones ($2, null for all), by one author ($3, null for any), recorded at or
   * after $5 (null: any time), at most $4.
   */
  static final String SELECT_RULE_AUDIT = """
      select * from (
        select 'schema' as kind, audit_seq, prefix, env, version, document::text as document, null::boolean as required,
          null::bigint as expires_in_ms, comment, created_at, created_by, null::integer as approvals from config_schema
        union all
        select 'policy', audit_seq, prefix, env, version, null, required, expires_in_ms, comment, created_at, created_by,
          approvals from approval_policy) r
      where audit_seq > $1 and ($2::text is null or env = $2 or env = '*') and ($3::text is null or created_by = $3)
        and ($5::timestamptz is null or created_at >= $5)
      order by audit_seq limit $4""";

  static final String SELECT_CURRENT_POLICIES = """
      select distinct on (prefix, env) prefix, env, version, required, expires_in_ms, comment, created_at, created_by,
        approvals
      from approval_policy order by prefix, env, version desc""";

  static final String INSERT_POLICY = """
      insert into approval_policy (prefix, env, version, required, expires_in_ms, comment, created_by, approvals)
      select $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7
      from approval_policy where prefix = $1 and env = $2
      returning prefix, env, version, required, expires_in_ms, comment, created_at, created_by, approvals""";

  static final String SELECT_POLICY_VERSIONS = """
      select prefix, env, version, required, expires_in_ms, comment, created_at, created_by, approvals
      from approval_policy where prefix = $1 and env = $2 and version < $3 order by version desc limit $4""";

  static final String INSERT_PENDING = """
      insert into pending_change (id, env, single, author, comment, expires_at, approvals_needed)
      values ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond', $7)""";

  /** One more approval ($2) of a change that needs several, if it is still pending and $2 has not approved it yet. */
  /**
   * One approval, in one statement: the approver joins the approvals and, when that reaches the count needed, the
   * change is claimed as approved by them all (decided_by their names). Concurrent approvals queue on the row, each
   * seeing the approvals before it: exactly one reaches the count.
   */
  static final String APPROVE_PENDING = """
      update pending_change set approvals = array_append(approvals, $2),
        status = case when cardinality(approvals) + 1 >= approvals_needed then 'approved' else status end,
        decided_by = case when cardinality(approvals) + 1 >= approvals_needed
          then array_to_string(array_append(approvals, $2), ', ') end,
        decided_at = case when cardinality(approvals) + 1 >= approvals_needed then now() end
      where id = $1 and status = 'pending' and expires_at > now() and not ($2 = any(approvals))
      returning status""";

  /**
   * Which of $2 are secret in $1, as PostgreSQL knows it now (the flag is sticky); locked, so that a write making one
   * secret waits for the transaction that asked.
   */
  static final String SELECT_SECRET_KEYS_AMONG = """
      select key from config_entry where env = $1 and key = any($2::text[]) and secret for share""";

  static final String INSERT_PENDING_OPS = """
      insert into pending_op (pending, ord, op, env, key, value, critical, comment, base_version, base_deleted, base_value,
        sealed)
      select $1, o.ord, o.op, $2, o.key, o.value::jsonb, o.critical, o.comment, o.base_version, o.base_deleted,
        o.base_value::jsonb, o.sealed
      from unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::int[], $10::boolean[],
                  $11::text[], $12::text[])
        as o(ord, op, key, value, critical, comment, base_version, base_deleted, base_value, sealed)""";

  /** A pending change's columns, its status as readers see it (expired once past expires_at) and its ops as JSON. */
  private static final String PENDING_COLUMNS = """
      c.id, c.env, c.single, c.author, c.comment, c.created_at, c.expires_at,
        case when c.status = 'pending' and c.expires_at <= now() then 'expired' else c.status end as status,
        c.decided_by, c.decided_at, c.reason, c.revision, c.approvals_needed, array_to_json(c.approvals)::text as approvals,
        (select json_agg(json_build_object('op', o.op, 'key', o.key, 'value', o.value, 'critical', o.critical,
           'comment', o.comment, 'baseVersion', o.base_version, 'baseDeleted', o.base_deleted, 'baseValue', o.base_value,
           'sealed', o.sealed, 'currentVersion', coalesce(e.version, 0))
           order by o.ord) from pending_op o left join config_entry e on e.env = o.env and e.key = o.key
         where o.pending = c.id)::text as ops""";

  static final String SELECT_PENDING = "select " + PENDING_COLUMNS + " from pending_change c where c.id = $1";

  /**
   * Pending changes after the cursor change $3 (creation order), at most $4: of env $1 unless null, in status $2
   * unless null, and only those whose every key one of the grants ($5 envs, $6 prefixes) covers, unless null.
   */
  static final String SELECT_PENDING_PAGE = "select " + PENDING_COLUMNS + """

      from pending_change c
      where ($1::text is null or c.env = $1)
        and ($2::text is null or (case when c.status = 'pending' and c.expires_at <= now() then 'expired'
                                   else c.status end) = $2)
        and ($3::uuid is null or (c.created_at, c.id) > (select p.created_at, p.id from pending_change p where p.id = $3))
        and ($5::text[] is null or not exists (
          select 1 from pending_op o where o.pending = c.id and not exists (
            select 1 from unnest($5::text[], $6::text[]) as g(env, prefix)
            where (g.env = '*' or g.env = o.env)
              and (g.prefix = '' or o.key = g.prefix or (o.key >= g.prefix || '.' and o.key < g.prefix || '/')))))
      order by c.created_at, c.id limit $4""";

  /** Takes a pending change for its approval: once, and only while it is pending and not expired. */
  /** Gives a claimed change back when its commit was refused (the key moved on, a schema refuses it). */
  static final String RELEASE_PENDING = """
      update pending_change set status = 'pending', decided_by = null, decided_at = null,
        approvals = array_remove(approvals, $2)
      where id = $1 and status = 'approved' and revision is null""";

  static final String COMMITTED_PENDING = "update pending_change set revision = $2 where id = $1";

  static final String REJECT_PENDING = """
      update pending_change set status = 'rejected', decided_by = $2, decided_at = now(), reason = $3
      where id = $1 and status = 'pending'""";

  // ---- Secrets encrypted at rest (issue 17, item 3) ----

  static final String SELECT_MASTER_KEY_CHECKS = "select id, check_value from secret_master_key";

  static final String INSERT_MASTER_KEY_CHECK = """
      insert into secret_master_key (id, check_value) values ($1, $2) on conflict (id) do nothing""";

  static final String SELECT_DATA_KEYS = """
      select id, master_key, wrapped, created_for from secret_data_key order by id""";

  /** Nodes starting together make one data key per master key: the first to lock the table adds it. */
  static final String LOCK_DATA_KEYS = "lock table secret_data_key in share row exclusive mode";

  static final String INSERT_DATA_KEY = """
      insert into secret_data_key (id, master_key, wrapped, created_for) values ($1, $2, $3, $2)""";

  /** A data key wrapped again under another master key, if it is still wrapped by the one the caller unwrapped. */
  static final String REWRAP_DATA_KEY = """
      update secret_data_key set master_key = $3, wrapped = $4, rewrapped_at = now()
      where id = $1 and master_key = $2""";

  /** Every secret key of every environment, deleted ones too (the flag is sticky). */
  static final String SELECT_SECRET_KEYS = "select env, key from config_entry where secret";

  /** One re-encryption round at a time per schema, for the length of its transaction. */
  static final String TRY_REENCRYPT_LOCK = """
      select pg_try_advisory_xact_lock(hashtextextended(current_schema() || '.configd-reencrypt', 0)) as locked""";

  /** Sealed versions under another data key than $1, at most $2, locked for this round. */
  static final String SELECT_SEALED_UNDER_OTHER_KEYS = """
      select env, key, version, sealed, data_key from config_version
      where sealed is not null and data_key <> $1
      order by revision limit $2 for update""";

  static final String UPDATE_VERSION_SEALED = """
      update config_version set sealed = $4, data_key = $5 where env = $1 and key = $2 and version = $3""";

  /** The current entries follow their version's new ciphertext. */
  static final String UPDATE_ENTRIES_SEALED = """
      update config_entry e set sealed = v.sealed, data_key = v.data_key
      from config_version v
      where v.env = e.env and v.key = e.key and v.version = e.version and e.sealed is not null
        and e.data_key is distinct from v.data_key""";

  // ---- history sealing: what a key made secret stored in clear before ----

  /** Versions of secret keys written before the key became secret (still unsealed), at most $1, locked. */
  static final String SELECT_CLEAR_VERSIONS_OF_SECRETS = """
      select v.env, v.key, v.version, v.value::text as value
      from config_entry e join config_version v on v.env = e.env and v.key = e.key
      where e.secret and not v.secret
      order by v.revision limit $1 for update of v""";

  /** A version sealed after the fact: $4 the mask (null for a deletion), $5 its ciphertext, $6 its data key. */
  static final String UPDATE_VERSION_MADE_SECRET = """
      update config_version set value = to_jsonb($4::text), sealed = $5, data_key = $6, secret = true
      where env = $1 and key = $2 and version = $3""";

  /** Ops of pending changes (any status) on secret keys that hold their value in clear, at most $1, locked. */
  static final String SELECT_CLEAR_PENDING_OPS_OF_SECRETS = """
      select p.pending, p.ord, p.env, p.key, p.value::text as value
      from config_entry e join pending_op p on p.env = e.env and p.key = e.key
      where e.secret and p.sealed is null and p.value is not null
      limit $1 for update of p""";

  static final String UPDATE_PENDING_OP_SEALED = """
      update pending_op set value = to_jsonb($3::text), sealed = $4 where pending = $1 and ord = $2""";

  /** The value each pending op on a secret key was proposed against, masked ($1 the mask). */
  static final String MASK_PENDING_BASE_VALUES_OF_SECRETS = """
      update pending_op p set base_value = to_jsonb($1::text)
      from config_entry e
      where e.secret and p.env = e.env and p.key = e.key and p.base_value is not null
        and p.base_value <> to_jsonb($1::text)""";

  /** Rollouts of secret keys whose value is unsealed, at most $1, locked. */
  static final String SELECT_CLEAR_ROLLOUTS_OF_SECRETS = """
      select r.id, r.env, r.key, r.value::text as value
      from config_entry e join rollout r on r.env = e.env and r.key = e.key
      where e.secret and r.sealed is null
      limit $1 for update of r""";

  static final String UPDATE_ROLLOUT_SEALED = """
      update rollout set value = to_jsonb($2::text), sealed = $3, data_key = $4 where id = $1""";

  /**
   * The audit rows of secret keys that hold a value other than the mask (recorded before the key became secret, or
   * the row of the version that made it secret, whose old value was in clear), masked.
   */
  static final String MASK_AUDIT_ROWS_OF_SECRETS = """
      update audit_log a set
        old_value = case when a.old_value is null or a.old_value = 'null'::jsonb then a.old_value else to_jsonb($1::text) end,
        new_value = case when a.new_value is null or a.new_value = 'null'::jsonb then a.new_value else to_jsonb($1::text) end,
        secret = true
      from config_entry e
      where e.secret and a.env = e.env and a.key = e.key
        and (not a.secret or coalesce(a.old_value, 'null'::jsonb) not in ('null'::jsonb, to_jsonb($1::text))
          or coalesce(a.new_value, 'null'::jsonb) not in ('null'::jsonb, to_jsonb($1::text)))""";

  /** The webhook bodies kept for secret keys that carry a value other than the mask, masked. */
  static final String MASK_NOTIFICATIONS_OF_SECRETS = """
      update notification n set payload = jsonb_set(jsonb_set(n.payload, '{change,value}', to_jsonb($1::text)),
          '{change,masked}', 'true'::jsonb)
      from config_entry e
      where e.secret and n.env = e.env and n.key = e.key and n.payload -> 'change' ? 'value'
        and n.payload -> 'change' -> 'value' not in ('null'::jsonb, to_jsonb($1::text))""";

  /** Sealed versions per data key: the re-encryption's progress. */
  static final String COUNT_SEALED_BY_DATA_KEY = """
      select data_key, count(*) as versions from config_version where sealed is not null group by data_key
      order by data_key""";
}
