package io.configd.store;

/** Every SQL statement configd runs against PostgreSQL. Values travel as JSON text and are cast here. */
final class SqlQueries {

  private SqlQueries() {
  }

  /**
   * Records a change in one statement (the function of V5__write_in_one_statement.sql): in autocommit,
   * so the global revision row stays locked only while PostgreSQL runs and commits it.
   */
  static final String WRITE = """
      select version, revision, critical, created_at from configd_write($1, $2, $3, $4, $5, $6, $7, $8, $9)""";

  /** SQLSTATEs configd_write raises when it refuses a write; the detail is "<current version>,<deleted>". */
  static final String REFUSED_PRECONDITION = "CF412";
  static final String REFUSED_ALREADY_DELETED = "CF404";

  static final String SELECT_ENTRY = """
      select key, env, value::text as value, version, revision, deleted, critical, comment, updated_at, updated_by
      from config_entry where env = $1 and key = $2 and version > 0""";

  /** Current, not deleted entries under a prefix (the key itself and the keys below it), after a key. */
  static final String SELECT_ENTRIES = """
      select key, env, value::text as value, version, revision, deleted, critical, comment, updated_at, updated_by
      from config_entry
      where env = $1 and not deleted and key > $2
        and ($3 = '' or key = $3 or (key >= $4 and key < $5))
        and ($7::text[] is null or exists (
          select 1 from unnest($7::text[]) as g(prefix)
          where g.prefix = '' or key = g.prefix or (key >= g.prefix || '.' and key < g.prefix || '/')))
      order by key limit $6""";

  static final String SELECT_VERSION = """
      select key, env, value::text as value, version, revision, deleted, critical, comment,
        created_at as updated_at, created_by as updated_by
      from config_version where env = $1 and key = $2 and version = $3""";

  /** Versions of a key, newest first, below a version (exclusive). */
  static final String SELECT_VERSIONS = """
      select key, env, value::text as value, version, revision, deleted, critical, comment,
        created_at as updated_at, created_by as updated_by
      from config_version where env = $1 and key = $2 and version < $3
      order by version desc limit $4""";

  /**
   * Changes after a revision, in revision order, up to the head revision read in the same snapshot:
   * every revision up to the head has committed, because revisions are taken in commit order.
   * Always one row at least: with no change, a row holding only the head.
   */
  static final String SELECT_CHANGES = """
      with head as (select revision from config_revision where id = 1)
      select head.revision as head, c.* from head left join lateral (
        select c.key, c.env, v.value::text as value, c.version, c.revision, v.deleted, v.critical, v.comment,
          v.created_at as updated_at, v.created_by as updated_by
        from config_change c join config_version v using (env, key, version)
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
   * entries hold every change up to that revision. Always one row at least.
   */
  static final String SELECT_SNAPSHOT = """
      with head as (select revision from config_revision where id = 1)
      select head.revision as head, e.* from head left join lateral (
        select key, env, value::text as value, version, revision, deleted, critical, comment, updated_at, updated_by
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
      select c.key, c.env, v.value::text as value, c.version, c.revision, v.deleted, v.critical, v.comment,
        v.created_at as updated_at, v.created_by as updated_by
      from config_change c join config_version v using (env, key, version)
      where c.revision > $1 and c.revision < $2
      order by c.revision limit $3""";

  static final String SELECT_HEAD_REVISION = "select revision from config_revision where id = 1";

  static final String PING = "select 1";

  // ---- The change stream: outbox relay, audit log, notifications (issue 4) ----

  /**
   * One statement per relay batch: moves the watermark (every revision up to it is in Kafka) from $1, the value the
   * relay last read, to $2, what Kafka acknowledged since; then returns the watermark now stored and, in revision
   * order, the next changes after it with what the change message carries. When the stored watermark is not $1
   * (another leader moved it, or it was reset), it is left as it is and the relay continues from it. Always one row
   * at least: with nothing to relay, a row holding only the watermark.
   */
  static final String MARK_AND_SELECT_UNPUBLISHED = """
      with mark as (
        update config_relay set revision = $2 where id = 1 and revision = $1 returning revision
      ),
      relayed as (
        select coalesce((select revision from mark), (select revision from config_relay where id = 1)) as revision
      )
      select relayed.revision as relayed, c.* from relayed left join lateral (
        select c.revision, c.env, c.key, c.version, v.value::text as value, v.deleted, v.critical, v.comment,
          v.created_at as updated_at, v.created_by as updated_by
        from config_change c join config_version v using (env, key, version)
        where c.revision > relayed.revision
        order by c.revision limit $3
      ) c on true
      order by c.revision""";

  /** How many changes wait for the relay, and the oldest of them (revisions follow commit order). */
  static final String SELECT_BACKLOG = """
      with relayed as (select revision from config_relay where id = 1),
      oldest as (
        select c.revision, v.created_at from relayed, config_change c join config_version v using (env, key, version)
        where c.revision > relayed.revision order by c.revision limit 1
      )
      select (select count(*) from relayed, config_change c where c.revision > relayed.revision) as size,
        (select revision from oldest) as oldest_revision, (select created_at from oldest) as oldest_at""";

  /** The relay's leadership: a session lock, released when its connection ends. One lock per schema. */
  static final String TRY_PUBLISHER_LOCK = """
      select pg_try_advisory_lock(hashtextextended(current_schema() || '.configd-publisher', 0)) as locked""";

  /** The audit row of each revision, from the version history (comment, previous value); once per revision. */
  static final String RECORD_AUDIT = """
      insert into audit_log (revision, env, key, actor, previous_version, version, old_value, new_value, deleted,
        critical, comment, changed_at)
      select v.revision, v.env, v.key, v.created_by, nullif(v.version - 1, 0), v.version, p.value, v.value, v.deleted,
        v.critical, v.comment, v.created_at
      from config_version v
      left join config_version p on p.env = v.env and p.key = v.key and p.version = v.version - 1
      where v.revision = any($1)
      on conflict (revision) do nothing""";

  /** Audit rows after a revision, oldest first, filtered by env, key prefix, actor and time when given. */
  static final String SELECT_AUDIT = """
      select revision, env, key, actor, previous_version, version, old_value::text as old_value,
        new_value::text as new_value, deleted, critical, comment, changed_at, recorded_at
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

  static final String INSERT_NOTIFICATION = """
      insert into notification (revision, webhook, env, key, payload)
      values ($1, $2, $3, $4, cast($5 as text)::jsonb)
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

  /** Every token, never its hash. */
  static final String SELECT_TOKENS = """
      select id, name, grants::text as grants, created_at, created_by, expires_at, revoked_at, last_used_at
      from api_token order by created_at, id""";

  /** Revokes a token once; a token already revoked keeps its first revocation time. */
  static final String REVOKE_TOKEN = """
      update api_token set revoked_at = coalesce(revoked_at, now()) where id = $1
      returning id, name, grants::text as grants, created_at, created_by, expires_at, revoked_at, last_used_at""";
}
