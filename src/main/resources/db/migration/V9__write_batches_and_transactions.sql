-- Group commit and transactions (issue 18): a node gathers its concurrent writes into one batch and records the
-- batch in one statement, so N revisions cost one counter bump, one round trip and one flush.
--
-- A change written by a transaction (POST /v1/txn) names it: txn is the revision of the transaction's first change
-- (its id), txn_last the revision of its last; the transaction's changes are exactly the revisions txn..txn_last.
alter table config_version add column txn bigint, add column txn_last bigint;
alter table audit_log add column txn bigint, add column txn_last bigint;

-- Records a batch of items in one statement, in array order. An item is one write (PUT, DELETE, rollback) or one
-- transaction: the consecutive ops sharing p_item. Every item keeps its own outcome: an item whose condition does
-- not hold writes nothing and the others are recorded. An item's ops are all checked before any is applied, so a
-- transaction is all or nothing. Two items on one key apply in order: the second sees the first's version.
-- The revision row is locked first and bumped once at the end: batches of every node serialize on it, revisions
-- are gap-free and in commit order. Called in autocommit: it commits as soon as it returns.
--
-- p_op: 'put', 'delete' or 'check'; p_expect: 'none', 'exists', 'absent' or 'version' (with p_expect_version).
-- One row per op, o_ord its index (1-based), o_outcome:
--   'ok'      recorded (a check: held), with the new version and revision (a check: the current version);
--   'CF412'   its condition does not hold; 'CF404' a delete of a key that does not exist (with o_cur_*);
--   'aborted' another op of the same transaction failed.
create function configd_write_batch(p_item integer[], p_txn boolean[], p_op text[], p_env text[], p_key text[],
                                    p_value text[], p_critical boolean[], p_comment text[], p_actor text[],
                                    p_expect text[], p_expect_version integer[])
returns table (o_ord integer, o_outcome text, o_version integer, o_revision bigint, o_critical boolean,
               o_created_at timestamptz, o_cur_version integer, o_cur_deleted boolean, o_txn bigint, o_txn_last bigint)
language plpgsql as $$
declare
  n          integer := coalesce(array_length(p_key, 1), 0);
  rev        bigint;
  start_rev  bigint;
  ts         timestamptz := now();
  i          integer := 1;
  j          integer;
  last_i     integer;
  writes     integer;
  failed     integer;
  code       text;
  first_rev  bigint;
  last_rev   bigint;
  new_crit   boolean;
  cur_v      integer[];
  cur_d      boolean[];
  cur_c      boolean[];
  cur_found  boolean[];
  v          integer;
  d          boolean;
  c          boolean;
begin
  select r.revision into rev from config_revision r where r.id = 1 for update;
  start_rev := rev;
  while i <= n loop
    last_i := i;
    while last_i < n and p_item[last_i + 1] = p_item[i] loop
      last_i := last_i + 1;
    end loop;

    -- every op of the item is checked (and its entry locked) before any is applied
    failed := null;
    writes := 0;
    for j in i..last_i loop
      select e.version, e.deleted, e.critical into v, d, c
      from config_entry e where e.env = p_env[j] and e.key = p_key[j] for update;
      cur_found[j] := found;
      if not found then
        v := 0; d := true; c := false;
      end if;
      cur_v[j] := v; cur_d[j] := d; cur_c[j] := c;
      if (p_expect[j] = 'exists' and d)
         or (p_expect[j] = 'absent' and not d)
         or (p_expect[j] = 'version' and (v = 0 or v <> p_expect_version[j])) then
        code := 'CF412';
      elsif p_op[j] = 'delete' and d then
        code := 'CF404';
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
        o_ord := j; o_outcome := case when j = failed then code else 'aborted' end;
        o_version := null; o_revision := null; o_critical := null; o_created_at := null;
        o_cur_version := cur_v[j]; o_cur_deleted := cur_d[j]; o_txn := null; o_txn_last := null;
        return next;
      end loop;
    else
      first_rev := case when p_txn[i] and writes > 0 then rev + 1 end;
      last_rev := case when p_txn[i] and writes > 0 then rev + writes end;
      for j in i..last_i loop
        o_ord := j; o_outcome := 'ok'; o_cur_version := cur_v[j]; o_cur_deleted := cur_d[j];
        o_txn := first_rev; o_txn_last := last_rev; o_created_at := ts;
        if p_op[j] = 'check' then
          o_version := cur_v[j]; o_revision := rev; o_critical := cur_c[j];
        else
          rev := rev + 1;
          new_crit := coalesce(p_critical[j], cur_c[j]);
          insert into config_version (env, key, version, revision, value, deleted, critical, comment, created_at,
                                      created_by, txn, txn_last)
          values (p_env[j], p_key[j], cur_v[j] + 1, rev, p_value[j]::jsonb, p_op[j] = 'delete', new_crit, p_comment[j],
                  ts, p_actor[j], first_rev, last_rev);
          insert into config_change (revision, env, key, version) values (rev, p_env[j], p_key[j], cur_v[j] + 1);
          if cur_found[j] then
            update config_entry e set value = p_value[j]::jsonb, version = cur_v[j] + 1, revision = rev,
              deleted = p_op[j] = 'delete', critical = new_crit, comment = p_comment[j], updated_at = ts,
              updated_by = p_actor[j]
            where e.env = p_env[j] and e.key = p_key[j];
          else
            insert into config_entry (env, key, value, version, revision, deleted, critical, comment, updated_at,
                                      updated_by)
            values (p_env[j], p_key[j], p_value[j]::jsonb, 1, rev, p_op[j] = 'delete', new_crit, p_comment[j], ts,
                    p_actor[j]);
          end if;
          -- the next item on this key sees this version
          o_version := cur_v[j] + 1; o_revision := rev; o_critical := new_crit;
        end if;
        return next;
      end loop;
    end if;
    i := last_i + 1;
  end loop;
  if rev <> start_rev then
    update config_revision r set revision = rev where r.id = 1;
  end if;
end
$$;

-- Every write goes through configd_write_batch now: one door.
drop function configd_write(text, text, text, boolean, boolean, text, text, text, integer);
