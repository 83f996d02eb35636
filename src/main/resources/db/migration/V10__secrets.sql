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
