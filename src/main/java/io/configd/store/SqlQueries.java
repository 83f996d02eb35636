package io.configd.store;

/** Every SQL statement configd runs against PostgreSQL. Values travel as JSON text and are cast here. */
final class SqlQueries {

  private SqlQueries() {
  }

  /**
   * Locks the key's current row for the rest of the transaction, creating a placeholder (version 0)
   * when the key is new, and returns its version and whether it is deleted.
   */
  static final String LOCK_ENTRY = """
      insert into config_entry (env, key, value, version, revision, deleted, critical, updated_at, updated_by)
      values ($1, $2, null, 0, 0, true, false, now(), '')
      on conflict (env, key) do update set env = excluded.env
      returning version, deleted, critical""";

  /**
   * Takes the next global revision and records the new version, the change and the current value.
   * The revision row stays locked until commit, so revisions are handed out in commit order.
   */
  static final String RECORD_CHANGE = """
      with rev as (
        update config_revision set revision = revision + 1 where id = 1 returning revision
      ), version as (
        insert into config_version (env, key, version, revision, value, deleted, critical, comment, created_at, created_by)
        select $1, $2, $3, rev.revision, cast($4 as text)::jsonb, $5, $6, $7, now(), $8 from rev
        returning revision, created_at
      ), change as (
        insert into config_change (revision, env, key, version) select version.revision, $1, $2, $3 from version
      ), entry as (
        update config_entry set value = cast($4 as text)::jsonb, version = $3, revision = version.revision,
          deleted = $5, critical = $6, comment = $7, updated_at = version.created_at, updated_by = $8
        from version where env = $1 and key = $2
      )
      select revision, created_at from version""";

  static final String SELECT_ENTRY = """
      select key, env, value::text as value, version, revision, deleted, critical, comment, updated_at, updated_by
      from config_entry where env = $1 and key = $2 and version > 0""";

  /** Current, not deleted entries under a prefix (the key itself and the keys below it), after a key. */
  static final String SELECT_ENTRIES = """
      select key, env, value::text as value, version, revision, deleted, critical, comment, updated_at, updated_by
      from config_entry
      where env = $1 and not deleted and key > $2
        and ($3 = '' or key = $3 or (key >= $4 and key < $5))
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

  static final String SELECT_HEAD_REVISION = "select revision from config_revision where id = 1";

  static final String PING = "select 1";
}
