-- Secrets encrypted at rest (issue 17, item 3). A secret key's versions keep a mask in `value` (what the audit log,
-- the change stream and webhooks copy) and the clear value only as AES-GCM ciphertext in `sealed`, under the data
-- key `data_key`; each data key is kept wrapped (AES-GCM) by a master key from the node's configuration, named by
-- its id. `secret` is sticky: once set, every later version of the key is sealed, a deletion and re-creation too.
alter table config_entry add column secret boolean not null default false, add column sealed text,
  add column data_key integer;
alter table config_version add column secret boolean not null default false, add column sealed text,
  add column data_key integer;
alter table audit_log add column secret boolean not null default false;

-- Data keys: 256-bit AES keys, each wrapped by one master key (master_key, the id of a configured master key).
-- created_for names the master key it was made under: one data key per master key, the current master key's one
-- seals new values. Re-wrapping under a newer master key changes master_key and wrapped, never the data key.
create table secret_data_key (
  id          integer     primary key,
  master_key  text        not null,
  wrapped     text        not null,
  created_for text        not null unique,
  created_at  timestamptz not null default now(),
  rewrapped_at timestamptz
);

-- A key check value per master key id (HMAC-SHA256 of a fixed text under the key): a node configured with a different
-- key under the same id refuses to start instead of serving garbage.
create table secret_master_key (
  id          text        primary key,
  check_value text        not null,
  created_at  timestamptz not null default now()
);

create index config_version_data_key on config_version (data_key) where sealed is not null;

-- configd_write_batch with the secret flag: p_secret true makes the key secret, null keeps its flag, false on a secret
-- key is refused ('CFSTICKY'); a put on a key that is or becomes secret must come sealed (p_sealed, p_data_key),
-- else it is refused ('CFSEAL') and nothing is written: PostgreSQL never stores a secret's clear value.
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
  last_i     integer;
  writes     integer;
  failed     integer;
  code       text;
  first_rev  bigint;
  last_rev   bigint;
  new_crit   boolean;
  new_secret boolean;
  cur_s      boolean[];
  s          boolean;
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
      select e.version, e.deleted, e.critical, e.secret into v, d, c, s
      from config_entry e where e.env = p_env[j] and e.key = p_key[j] for update;
      cur_found[j] := found;
      if not found then
        v := 0; d := true; c := false; s := false;
      end if;
      cur_v[j] := v; cur_d[j] := d; cur_c[j] := c; cur_s[j] := s;
      if (p_expect[j] = 'exists' and d)
         or (p_expect[j] = 'absent' and not d)
         or (p_expect[j] = 'version' and (v = 0 or v <> p_expect_version[j])) then
        code := 'CF412';
      elsif p_op[j] = 'delete' and d then
        code := 'CF404';
      elsif p_op[j] <> 'check' and s and p_secret[j] is not null and not p_secret[j] then
        code := 'CFSTICKY';
      elsif p_op[j] = 'put' and (s or coalesce(p_secret[j], false)) and p_sealed[j] is null then
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
        o_ord := j; o_outcome := case when j = failed then code else 'aborted' end;
        o_version := null; o_revision := null; o_critical := null; o_created_at := null;
        o_cur_version := cur_v[j]; o_cur_deleted := cur_d[j]; o_txn := null; o_txn_last := null;
        o_secret := cur_s[j];
        return next;
      end loop;
    else
      first_rev := case when p_txn[i] and writes > 0 then rev + 1 end;
      last_rev := case when p_txn[i] and writes > 0 then rev + writes end;
      for j in i..last_i loop
        o_ord := j; o_outcome := 'ok'; o_cur_version := cur_v[j]; o_cur_deleted := cur_d[j];
        o_txn := first_rev; o_txn_last := last_rev; o_created_at := ts;
        if p_op[j] = 'check' then
          o_version := cur_v[j]; o_revision := rev; o_critical := cur_c[j]; o_secret := cur_s[j];
        else
          rev := rev + 1;
          new_crit := coalesce(p_critical[j], cur_c[j]);
          new_secret := cur_s[j] or coalesce(p_secret[j], false);
          insert into config_version (env, key, version, revision, value, deleted, critical, comment, created_at,
                                      created_by, txn, txn_last, secret, sealed, data_key)
          values (p_env[j], p_key[j], cur_v[j] + 1, rev, p_value[j]::jsonb, p_op[j] = 'delete', new_crit, p_comment[j],
                  ts, p_actor[j], first_rev, last_rev, new_secret, p_sealed[j], p_data_key[j]);
          insert into config_change (revision, env, key, version) values (rev, p_env[j], p_key[j], cur_v[j] + 1);
          if cur_found[j] then
            update config_entry e set value = p_value[j]::jsonb, version = cur_v[j] + 1, revision = rev,
              deleted = p_op[j] = 'delete', critical = new_crit, comment = p_comment[j], updated_at = ts,
              updated_by = p_actor[j], secret = new_secret, sealed = p_sealed[j], data_key = p_data_key[j]
            where e.env = p_env[j] and e.key = p_key[j];
          else
            insert into config_entry (env, key, value, version, revision, deleted, critical, comment, updated_at,
                                      updated_by, secret, sealed, data_key)
            values (p_env[j], p_key[j], p_value[j]::jsonb, 1, rev, p_op[j] = 'delete', new_crit, p_comment[j], ts,
                    p_actor[j], new_secret, p_sealed[j], p_data_key[j]);
          end if;
          -- the next item on this key sees this version
          o_version := cur_v[j] + 1; o_revision := rev; o_critical := new_crit; o_secret := new_secret;
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

