-- The global revision counter. One row; a writer bumps it inside its transaction, so the row lock
-- serialises revisions in commit order (a sequence would hand them out in start order, with gaps).
create table config_revision (
  id       smallint primary key check (id = 1),
  revision bigint   not null
);
insert into config_revision (id, revision) values (1, 0);

-- The current value of each (env, key). Keys compare byte-wise so that prefix ranges use the index.
create table config_entry (
  env        text        not null,
  key        text        collate "C" not null,
  value      jsonb,
  version    integer     not null,
  revision   bigint      not null,
  deleted    boolean     not null default false,
  critical   boolean     not null default false,
  comment    text,
  updated_at timestamptz not null,
  updated_by text        not null,
  primary key (env, key)
);

-- The immutable history: one row per version, numbered per key from 1, never reused.
create table config_version (
  env        text        not null,
  key        text        collate "C" not null,
  version    integer     not null,
  revision   bigint      not null unique,
  value      jsonb,
  deleted    boolean     not null,
  critical   boolean     not null,
  comment    text,
  created_at timestamptz not null,
  created_by text        not null,
  primary key (env, key, version)
);

-- The change log, in global revision order; also the outbox the publisher relays to Kafka.
create table config_change (
  revision     bigint      primary key,
  env          text        not null,
  key          text        collate "C" not null,
  version      integer     not null,
  published_at timestamptz,
  foreign key (env, key, version) references config_version (env, key, version)
);
create index config_change_unpublished on config_change (revision) where published_at is null;
create index config_change_env_key on config_change (env, key, revision);
