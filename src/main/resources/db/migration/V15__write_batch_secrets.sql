-- configd_write_batch (V14's, set-based) with secrets (issue 17, item 3; the columns and key tables: V10).
-- p_secret true makes the key secret, null keeps its flag, false on a secret key is refused ('CFSTICKY'); a put on a
-- key that is or becomes secret must come sealed (p_sealed, the ciphertext, and p_data_key, its data key) with the
-- mask as p_value, else it is refused ('CFSEAL') and nothing is written: PostgreSQL never stores a secret's clear
-- value. The flag is sticky: a secret key's later versions, a deletion and a re-creation included, are secret.
-- o_secret: the key's flag after the op (for a refused op, before it).
-- A pending change (V12) of a secret keeps its ciphertext, the mask as its value.
alter table pending_op add column sealed text;

drop function configd_write_batch(integer[], boolean[], text[], text[], text[], text[], boolean[], text[], text[],
                                  text[], integer[]);
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
  rev        bigint;
  start_rev  bigint;
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
  select r.revision into rev from config_revision r where r.id = 1 for update;
  start_rev := rev;

  select array_agg(u.slot order by u.ord) into slot
  from (select t.ord, dense_rank() over (order by t.env, t.key)::integer as slot
        from unnest(p_env, p_key) with ordinality as t(env, key, ord)) u;

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

  if rev <> start_rev then
    insert into config_version (env, key, version, revision, value, deleted, critical, comment, created_at, created_by,
                                txn, txn_last, secret, sealed, data_key)
    select p_env[x.o], p_key[x.o], r_version[x.o], r_revision[x.o], p_value[x.o]::jsonb, p_op[x.o] = 'delete', r_critical[x.o],
           p_comment[x.o], ts, p_actor[x.o], r_txn[x.o], r_txn_last[x.o], r_secret[x.o], p_sealed[x.o], p_data_key[x.o]
    from generate_subscripts(p_key, 1) as x(o)
    where r_written[x.o]
    order by x.o;

    insert into config_change (revision, env, key, version)
    select r_revision[x.o], p_env[x.o], p_key[x.o], r_version[x.o]
    from generate_subscripts(p_key, 1) as x(o)
    where r_written[x.o]
    order by x.o;

    -- each written key's last write in the batch is its entry's new state
    insert into config_entry as e (env, key, value, version, revision, deleted, critical, comment, updated_at,
                                   updated_by, secret, sealed, data_key)
    select p_env[x.o], p_key[x.o], p_value[x.o]::jsonb, r_version[x.o], r_revision[x.o], p_op[x.o] = 'delete', r_critical[x.o],
           p_comment[x.o], ts, p_actor[x.o], r_secret[x.o], p_sealed[x.o], p_data_key[x.o]
    from unnest(s_last) as x(o)
    where x.o is not null
    on conflict (env, key) do update set value = excluded.value, version = excluded.version,
      revision = excluded.revision, deleted = excluded.deleted, critical = excluded.critical,
      comment = excluded.comment, updated_at = excluded.updated_at, updated_by = excluded.updated_by,
      secret = excluded.secret, sealed = excluded.sealed, data_key = excluded.data_key;

    update config_revision r set revision = rev where r.id = 1;
  end if;

  return query
  select x.o, r_outcome[x.o], r_version[x.o], r_revision[x.o], r_critical[x.o], case when r_outcome[x.o] = 'ok' then ts end,
         r_cur_v[x.o], r_cur_d[x.o], r_txn[x.o], r_txn_last[x.o], r_secret[x.o]
  from generate_subscripts(p_key, 1) as x(o)
  order by x.o;
end
$$;
