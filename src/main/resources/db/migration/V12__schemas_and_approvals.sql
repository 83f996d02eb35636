-- Guarded changes (issue 17 items 1-2): JSON Schemas and approval policies per key prefix, and the changes that wait
-- for a second person's approval. Schemas and policies are versioned like values: a row per version, never updated;
-- the newest version of a (prefix, env) is the current one, and a version whose document is null removed it.
-- env '*' applies to every environment; an environment's own row beats it for the same prefix.
create table config_schema (
  prefix      text        not null,
  env         text        not null,
  version     integer     not null,
  document    jsonb,
  comment     text,
  created_at  timestamptz not null default now(),
  created_by  text        not null,
  primary key (prefix, env, version)
);

-- required: writes under the prefix wait for approval; expires_in_ms: how long such a change may wait.
create table approval_policy (
  prefix        text        not null,
  env           text        not null,
  version       integer     not null,
  required      boolean,
  expires_in_ms bigint,
  comment       text,
  created_at    timestamptz not null default now(),
  created_by    text        not null,
  primary key (prefix, env, version)
);

-- A write (one op) or a transaction held for approval. status: pending, approved or rejected; a pending change past
-- expires_at is expired (read as such; approving it is refused). single: it came as one PUT/DELETE/rollback and
-- commits as one, else as a transaction. revision: the revision its approval committed (the first, for a
-- transaction).
create table pending_change (
  id          uuid        primary key,
  env         text        not null,
  single      boolean     not null,
  author      text        not null,
  comment     text,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  status      text        not null default 'pending',
  decided_by  text,
  decided_at  timestamptz,
  reason      text,
  revision    bigint
);
create index pending_change_open on pending_change (created_at) where status = 'pending';

-- The ops of a pending change, in order, with the version of the key each was proposed against (base_version, 0
-- when the key was never written): approving commits each only if the key is still at that version.
create table pending_op (
  pending       uuid    not null references pending_change (id),
  ord           integer not null,
  op            text    not null,
  env           text    not null,
  key           text    not null,
  value         jsonb,
  critical      boolean,
  comment       text,
  base_version  integer not null,
  base_deleted  boolean not null,
  base_value    jsonb,
  primary key (pending, ord)
);
-- the audit log finds the approval of a version by the key and the version it replaced
create index pending_op_by_key on pending_op (env, key, base_version);

-- An approved change's audit rows name both people: updated_by its author, approved_by who approved it.
alter table audit_log add column approved_by text, add column pending_id uuid;
