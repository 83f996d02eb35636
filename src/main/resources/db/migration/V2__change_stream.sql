-- Wakes the publisher when a change commits: NOTIFY is transactional, so it is delivered at commit
-- and never for a rolled-back write. One channel per schema, so that nodes of other deployments
-- (or other test schemas) sharing the database are not woken. Channel names stop at 63 bytes.
create function config_change_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify(left('config_change_' || tg_table_schema, 63), new.revision::text);
  return null;
end
$$;

create trigger config_change_notify after insert on config_change
  for each row execute function config_change_notify();

-- The audit log, written by the audit consumer from the change stream: one row per revision,
-- so that a change relayed twice is recorded once.
create table audit_log (
  revision         bigint      primary key,
  env              text        not null,
  key              text        collate "C" not null,
  actor            text        not null,
  previous_version integer,
  version          integer     not null,
  old_value        jsonb,
  new_value        jsonb,
  deleted          boolean     not null,
  critical         boolean     not null,
  comment          text,
  changed_at       timestamptz not null,
  recorded_at      timestamptz not null default now()
);
create index audit_log_env_key on audit_log (env, key, revision);
create index audit_log_actor on audit_log (actor, revision);
create index audit_log_changed_at on audit_log (changed_at);
