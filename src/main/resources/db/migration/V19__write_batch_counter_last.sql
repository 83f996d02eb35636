-- configd_write_batch (V15's contract: arguments, one row per op, outcomes) taking the revision counter last (issue 18,
-- item 1). V14/V15 locked config_revision first, so a batch held the row every batch of every node needs for its whole
-- length: ranking, entry locks, checks and writes, then the commit's flush. Now everything that needs no revision
-- comes first, and only the part that does runs under the counter's lock:
-- 1. Slots ranked; a key the batch names that has no entry gets a placeholder row (version 0, a tombstone: what a
--    missing entry reads as, as in V5) inserted in (env, key) order, so that its first writes are locked like any
--    other key's: a batch naming it too waits on the insert until this one ends. Then every entry the batch names is
--    locked in (env, key) order and read once into the slot arrays.
-- 2. The items are decided over the arrays with revisions counted from 0 (relative to the counter, not yet read).
--    The placeholders of keys nothing wrote are deleted again, so none commits.
-- 3. Only a batch that writes locks the counter, last, and its revisions are the counter plus the relative ones; the
--    versions, change log rows and entries are written and the counter bumped; the lock is held to the commit, as
--    before. A batch that writes nothing reads the head without locking it (the revision a check answers).
-- Deadlocks: every batch takes its key locks (placeholder inserts, then row locks, each in (env, key) order) before
-- the counter and none after it, so a batch holding the counter waits on no key. Commit order is still revision
-- order: a batch reads the counter only once it holds its row lock, which every batch holds until its commit, so a
-- later revision's batch took the lock after the earlier one committed.
drop function configd_write_batch(integer[], boolean[], text[], text[], text[], text[], boolean[], text[], text[],
                                  text[], integer[], boolean[], text[], integer[]);
create function configd_write_batch(p_item integer[], p_txn boolean[], p_op text[], p_env text[], p_key text[],
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
  placed     integer;
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

  insert into config_entry (env, key, value, version, revision, deleted, critical, updated_at, updated_by)
  select d.env, d.key, null, 0, 0, true, false, ts, ''
  from (select distinct t.env, t.key from unnest(p_env, p_key) as t(env, key)) d
  where not exists (select 1 from config_entry e where e.env = d.env and e.key = d.key)
  order by d.env, d.key collate "C"
  on conflict (env, key) do nothing;
  get diagnostics placed = row_count;

  perform 1 from config_entry e
  where (e.env, e.key) in (select t.env, t.key from unnest(p_env, p_key) as t(env, key))
  order by e.env, e.key
  for update;

  select array_agg(coalesce(e.version, 0) order by d.slot), array_agg(coalesce(e.deleted, true) order by d.slot),
         array_agg(coalesce(e.critical, false) order by d.slot), array_agg(coalesce(e.secret, false) order by d.slot)
  into s_v, s_d, s_c, s_s
  from (select distinct t.env, t.key, slot[t.ord] as slot
        from unnest(p_env, p_key) with ordinality as t(env, key, ord)) d
  left join config_entry e on e.env = d.env and e.key = d.key;
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
    where e.version = 0 and (e.env, e.key) in (select t.env, t.key from unnest(p_env, p_key) as t(env, key))
      and not exists (select 1 from unnest(s_last) as x(o) where p_env[x.o] = e.env and p_key[x.o] = e.key);
  end if;

  if rev = 0 then
    select r.revision into head from config_revision r where r.id = 1;
  else
    select r.revision into head from config_revision r where r.id = 1 for update;

    insert into config_version (env, key, version, revision, value, deleted, critical, comment, created_at, created_by,
                                txn, txn_last, secret, sealed, data_key)
    select p_env[x.o], p_key[x.o], r_version[x.o], head + r_revision[x.o], p_value[x.o]::jsonb, p_op[x.o] = 'delete',
           r_critical[x.o], p_comment[x.o], ts, p_actor[x.o], head + r_txn[x.o], head + r_txn_last[x.o], r_secret[x.o],
           p_sealed[x.o], p_data_key[x.o]
    from generate_subscripts(p_key, 1) as x(o)
    where r_written[x.o]
    order by x.o;

    insert into config_change (revision, env, key, version)
    select head + r_revision[x.o], p_env[x.o], p_key[x.o], r_version[x.o]
    from generate_subscripts(p_key, 1) as x(o)
    where r_written[x.o]
    order by x.o;

    -- each written key's last write in the batch is its entry's new state
    insert into config_entry as e (env, key, value, version, revision, deleted, critical, comment, updated_at,
                                   updated_by, secret, sealed, data_key)
    select p_env[x.o], p_key[x.o], p_value[x.o]::jsonb, r_version[x.o], head + r_revision[x.o], p_op[x.o] = 'delete',
           r_critical[x.o], p_comment[x.o], ts, p_actor[x.o], r_secret[x.o], p_sealed[x.o], p_data_key[x.o]
    from unnest(s_last) as x(o)
    where x.o is not null
    on conflict (env, key) do update set value = excluded.value, version = excluded.version,
      revision = excluded.revision, deleted = excluded.deleted, critical = excluded.critical,
      comment = excluded.comment, updated_at = excluded.updated_at, updated_by = excluded.updated_by,
      secret = excluded.secret, sealed = excluded.sealed, data_key = excluded.data_key;

    update config_revision r set revision = head + rev where r.id = 1;
  end if;

  return query
  select x.o, r_outcome[x.o], r_version[x.o], head + r_revision[x.o], r_critical[x.o],
         case when r_outcome[x.o] = 'ok' then ts end, r_cur_v[x.o], r_cur_d[x.o], head + r_txn[x.o], head + r_txn_last[x.o],
         r_secret[x.o]
  from generate_subscripts(p_key, 1) as x(o)
  order by x.o;
end
$$;
