-- PostgreSQL's cost per change (issue 18: the txn and the writes targets). Measured on a private PostgreSQL 15 with
-- pg_stat_statements (bin/bench txn,writes, V20): of a batch's statements, the change log's insert was the dearest
-- (its foreign key to config_version ran a query and locked the version's row for every change: 14 us a change, one
-- WAL record more), then the versions' insert and the entries' upsert, which parsed each value a second time.
-- Now, same contract, same lock order (placeholders in "C" order, entries in (env, key) order, the counter last):
-- 1. The foreign key goes; the same rule is checked once per statement by the change log's statement trigger (a
--    write's change is found by its revision's index) and by a statement trigger on the history's deletes.
-- 2. The versions, the change log rows and the entries are written by one statement: the ops unnested once, each
--    value parsed once, the entries updated (every written key has its row by then: committed or its placeholder).
-- A call of 100 puts (pgbench, one client, fresh schemas, three pairs alternated, load 6.4-7.1): 6.74 ms of the
-- backend's CPU with V20, 5.19 ms with V21; a batch of 10 single writes: 1.56 -> 1.34 ms (two pairs, load 5.6-6.9).

-- config_change named its version by a foreign key, checked row by row: a query and a lock of the version's row for
-- each change, inside the revision counter's lock. The same rule is now checked once per statement, by index.
alter table config_change drop constraint config_change_env_key_version_fkey;

-- One NOTIFY per statement that adds to the change log (V14), and the check the foreign key made: every change names
-- a version the history holds (the relay, the catch-up and the audit read a change through its version: a change
-- without one would be skipped, lost).
create or replace function config_change_notify() returns trigger language plpgsql as $$
declare
  first_rev bigint;
  last_rev  bigint;
  orphan    bigint;
begin
  select min(c.revision), max(c.revision),
         -- a write's change and its version share the revision: found by the revision's index, cheaper than by
         -- (env, key, version), which a rollout's change (naming the version it stands on) needs
         min(c.revision) filter (where not exists (
             select 1 from config_version v
             where v.revision = c.revision and v.env = c.env and v.key = c.key and v.version = c.version)
           and not exists (
             select 1 from config_version v where v.env = c.env and v.key = c.key and v.version = c.version))
  into first_rev, last_rev, orphan
  from inserted c;
  if orphan is not null then
    raise exception using errcode = 'foreign_key_violation',
      message = format('the change of revision %s names a version that is not in the history', orphan);
  end if;
  if first_rev is not null then
    perform pg_notify(left('config_change_' || tg_table_schema, 63), first_rev::text || '-' || last_rev::text);
  end if;
  return null;
end
$$
set enable_seqscan = off
set enable_hashjoin = off
set enable_mergejoin = off;

-- The other half of the foreign key: a version a change names stays (retention prunes a version only once its change
-- is gone, SqlQueries.PRUNE_VERSIONS).
create function config_version_named_by_changes() returns trigger language plpgsql as $$
declare
  named bigint;
begin
  select min(c.revision) into named
  from removed v join config_change c on c.env = v.env and c.key = v.key and c.version = v.version;
  if named is not null then
    raise exception using errcode = 'foreign_key_violation',
      message = format('the change of revision %s names a version being deleted', named);
  end if;
  return null;
end
$$
set enable_seqscan = off
set enable_hashjoin = off
set enable_mergejoin = off;
create trigger config_version_named_by_changes after delete on config_version
  referencing old table as removed
  for each statement execute function config_version_named_by_changes();

create or replace function configd_write_batch(p_item integer[], p_txn boolean[], p_op text[], p_env text[], p_key text[],
                                    p_value text[], p_critical boolean[], p_comment text[], p_actor text[],
                                    p_expect text[], p_expect_version integer[], p_secret boolean[],
                                    p_sealed text[], p_data_key integer[])
returns table (o_ord integer, o_outcome text, o_version integer, o_revision bigint, o_critical boolean,
               o_created_at timestamptz, o_cur_version integer, o_cur_deleted boolean, o_txn bigint, o_txn_last bigint,
               o_secret boolean)
language plpgsql as $$
declare
  n          integer := coalesce(array_length(p_key, 1), 0);
  rev        bigint := 0;
  head       bigint;
  placed     integer := 0;
  known      integer;
  m          integer;
  k_env      text[];
  k_key      text[];
  ts         timestamptz := now();
  i          integer := 1;
  j          integer;
  s          integer;
  last_i     integer;
  writes     integer;
  failed     integer;
  code       text;
  first_rev  bigint;
  last_rev   bigint;
  -- per op
  slot       integer[];
  r_outcome  text[] := array_fill(null::text, array[n]);
  r_version  integer[] := array_fill(null::integer, array[n]);
  r_revision bigint[] := array_fill(null::bigint, array[n]);
  r_critical boolean[] := array_fill(null::boolean, array[n]);
  r_cur_v    integer[] := array_fill(null::integer, array[n]);
  r_cur_d    boolean[] := array_fill(null::boolean, array[n]);
  r_txn      bigint[] := array_fill(null::bigint, array[n]);
  r_txn_last bigint[] := array_fill(null::bigint, array[n]);
  r_written  boolean[] := array_fill(false, array[n]);
  r_secret   boolean[] := array_fill(null::boolean, array[n]);
  -- per slot: the entry's state as the batch goes
  s_v        integer[];
  s_d        boolean[];
  s_c        boolean[];
  s_s        boolean[];
  s_last     integer[];
begin
  if n = 0 then
    return;
  end if;
  select array_agg(u.slot order by u.ord) into slot
  from (select t.ord, dense_rank() over (order by t.env, t.key)::integer as slot
        from unnest(p_env, p_key) with ordinality as t(env, key, ord)) u;
  -- the keys the batch names, in slot order (the order dense_rank gave)
  select array_agg(d.env order by d.env, d.key), array_agg(d.key order by d.env, d.key) into k_env, k_key
  from (select distinct t.env, t.key from unnest(p_env, p_key) as t(env, key)) d;
  m := array_length(k_key, 1);

  -- committed entries are never deleted (only a batch's own placeholders are), so a key found here is still there
  -- below; a batch whose keys all exist (the usual case) inserts nothing
  select count(*) into known
  from unnest(k_env, k_key) as d(env, key) join config_entry e on e.env = d.env and e.key = d.key;
  if known < m then
    insert into config_entry (env, key, value, version, revision, deleted, critical, updated_at, updated_by)
    select d.env, d.key, null, 0, 0, true, false, ts, ''
    from unnest(k_env, k_key) as d(env, key)
    where not exists (select 1 from config_entry e where e.env = d.env and e.key = d.key)
    order by d.env, d.key collate "C"
    on conflict (env, key) do nothing;
    get diagnostics placed = row_count;
  end if;

  -- every entry the batch names, locked in (env, key) order and read in the same statement (a row another batch
  -- changed meanwhile is read as that batch committed it)
  select array_agg(x.version order by x.s), array_agg(x.deleted order by x.s), array_agg(x.critical order by x.s),
         array_agg(coalesce(x.secret, false) order by x.s)
  into s_v, s_d, s_c, s_s
  from (select d.s, e.version, e.deleted, e.critical, e.secret
        from unnest(k_env, k_key) with ordinality as d(env, key, s)
        join config_entry e on e.env = d.env and e.key = d.key
        order by e.env, e.key
        for update of e) x;
  if coalesce(array_length(s_v, 1), 0) <> m then
    raise exception 'configd_write_batch: % of the batch''s % entries found', coalesce(array_length(s_v, 1), 0), m;
  end if;
  s_last := array_fill(null::integer, array[coalesce(array_length(s_v, 1), 0)]);

  while i <= n loop
    last_i := i;
    while last_i < n and p_item[last_i + 1] = p_item[i] loop
      last_i := last_i + 1;
    end loop;

    -- every op of the item is checked against the state before the item
    failed := null;
    writes := 0;
    for j in i..last_i loop
      s := slot[j];
      r_cur_v[j] := s_v[s];
      r_cur_d[j] := s_d[s];
      r_secret[j] := s_s[s];
      if (p_expect[j] = 'exists' and s_d[s])
         or (p_expect[j] = 'absent' and not s_d[s])
         or (p_expect[j] = 'version' and (s_v[s] = 0 or s_v[s] <> p_expect_version[j])) then
        code := 'CF412';
      elsif p_op[j] = 'delete' and s_d[s] then
        code := 'CF404';
      elsif p_op[j] <> 'check' and s_s[s] and p_secret[j] is not null and not p_secret[j] then
        code := 'CFSTICKY';
      elsif p_op[j] = 'put' and (s_s[s] or coalesce(p_secret[j], false)) and p_sealed[j] is null then
        code := 'CFSEAL';
      else
        code := null;
      end if;
      if code is not null then
        failed := j;
        exit;
      end if;
      if p_op[j] <> 'check' then
        writes := writes + 1;
      end if;
    end loop;

    if failed is not null then
      for j in i..last_i loop
        r_outcome[j] := case when j = failed then code else 'aborted' end;
        r_cur_v[j] := s_v[slot[j]];
        r_cur_d[j] := s_d[slot[j]];
      end loop;
    else
      first_rev := case when p_txn[i] and writes > 0 then rev + 1 end;
      last_rev := case when p_txn[i] and writes > 0 then rev + writes end;
      for j in i..last_i loop
        s := slot[j];
        r_outcome[j] := 'ok';
        r_txn[j] := first_rev;
        r_txn_last[j] := last_rev;
        if p_op[j] = 'check' then
          r_version[j] := s_v[s]; r_revision[j] := rev; r_critical[j] := s_c[s]; r_secret[j] := s_s[s];
        else
          rev := rev + 1;
          r_version[j] := s_v[s] + 1; r_revision[j] := rev; r_critical[j] := coalesce(p_critical[j], s_c[s]);
          r_secret[j] := s_s[s] or coalesce(p_secret[j], false);
          r_written[j] := true;
          -- the next item on this key sees this version
          s_v[s] := s_v[s] + 1; s_d[s] := p_op[j] = 'delete'; s_c[s] := r_critical[j]; s_s[s] := r_secret[j];
          s_last[s] := j;
        end if;
      end loop;
    end if;
    i := last_i + 1;
  end loop;

  if placed > 0 then
    -- the placeholders of keys nothing wrote (a refused op, a check); a written one becomes the entry below
    delete from config_entry e
    using generate_subscripts(k_key, 1) as d(s)
    where s_last[d.s] is null and e.env = k_env[d.s] and e.key = k_key[d.s] and e.version = 0;
  end if;

  if rev = 0 then
    select r.revision into head from config_revision r where r.id = 1;
  else
    select r.revision into head from config_revision r where r.id = 1 for update;

    -- the versions, their change log rows and the entries in one statement: the ops are read (unnest) and each
    -- value parsed once, the change rows and entries take them from the versions' returning. Every written key has
    -- its entry row by now (committed or its placeholder), so the entries are updated, not upserted.
    -- The ops read side by side (unnest): in a statement, a[o] of an array of text, or of one holding nulls, walks
    -- the o - 1 elements before it, which made a transaction of n puts cost n squared (2,000 puts: 0.6 s)
    with v as (
      insert into config_version (env, key, version, revision, value, deleted, critical, comment, created_at,
                                  created_by, txn, txn_last, secret, sealed, data_key)
      select x.env, x.key, x.version, head + x.revision, x.value::jsonb, x.op = 'delete', x.critical, x.comment, ts,
             x.actor, head + x.txn, head + x.txn_last, x.secret, x.sealed, x.data_key
      from unnest(p_env, p_key, p_value, p_op, p_comment, p_actor, p_sealed, p_data_key, r_version, r_revision,
                  r_critical, r_txn, r_txn_last, r_secret, r_written)
           with ordinality as x(env, key, value, op, comment, actor, sealed, data_key, version, revision, critical, txn,
                                txn_last, secret, written, o)
      where x.written
      order by x.o
      returning env, key, version, revision, value, deleted, critical, comment, created_by, secret, sealed, data_key
    ),
    c as (
      insert into config_change (revision, env, key, version)
      select v.revision, v.env, v.key, v.version from v order by v.revision
    )
    update config_entry e set value = v.value, version = v.version, revision = v.revision, deleted = v.deleted,
      critical = v.critical, comment = v.comment, updated_at = ts, updated_by = v.created_by, secret = v.secret,
      sealed = v.sealed, data_key = v.data_key
    -- each written key's newest version in the batch is its entry's new state
    from (select distinct on (v.env, v.key) * from v order by v.env, v.key, v.version desc) v
    where e.env = v.env and e.key = v.key;

    update config_revision r set revision = head + rev where r.id = 1;
  end if;

  return query
  select x.o::integer, x.outcome, x.version, head + x.revision, x.critical, case when x.outcome = 'ok' then ts end,
         x.cur_v, x.cur_d, head + x.txn, head + x.txn_last, x.secret
  from unnest(r_outcome, r_version, r_revision, r_critical, r_cur_v, r_cur_d, r_txn, r_txn_last, r_secret)
       with ordinality as x(outcome, version, revision, critical, cur_v, cur_d, txn, txn_last, secret, o)
  order by x.o;
end
$$
-- a batch touches a handful of the table's keys: index lookups, whatever the planner estimates (at 1,000 entries it
-- chose whole-table scans of config_entry, three per batch)
set enable_seqscan = off
set enable_hashjoin = off
set enable_mergejoin = off;
