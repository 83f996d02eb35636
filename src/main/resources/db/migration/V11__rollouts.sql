-- Rollouts (issue 16, items 2-4): a new value of a key for part of the fleet first (a gray release), widened by hand
-- or step by step (a staged rollout), then promoted (a new released version for everyone) or aborted.
--
-- A rollout stands on the key's released version it started from (base_version): once another version is released
-- the rollout is over (superseded), since everyone receives that version. One live (active or paused) rollout per key.
-- Percentages are basis points (hundredths of a percent); steps is [{"basisPoints": n, "bakeMs": n}, ...] or null
-- (a gray release: held where it is until promoted, aborted or retargeted by hand).
create table rollout (
  id                bigint      generated always as identity primary key,
  env               text        not null,
  key               text        collate "C" not null,
  value             jsonb       not null,
  base_version      integer     not null,
  selector          text,
  basis_points      integer     check (basis_points between 0 and 10000),
  steps             jsonb,
  step              integer,
  step_started_at   timestamptz,
  failure_threshold integer     check (failure_threshold >= 0),
  state             text        not null check (state in ('active', 'paused', 'promoted', 'aborted', 'rolled_back',
                                                          'superseded')),
  stop_reason       text,
  first_revision    bigint      not null,
  revision          bigint      not null,
  promoted_version  integer,
  comment           text,
  created_at        timestamptz not null default now(),
  created_by        text        not null,
  updated_at        timestamptz not null default now(),
  updated_by        text        not null,
  check (selector is not null or basis_points is not null)
);
create unique index rollout_live on rollout (env, key) where state in ('active', 'paused');
create index rollout_env_key on rollout (env, key, id);

-- A rollout's entries in the change log: the config_change row of the same revision names the base version (so the
-- change log stays one gap-free sequence, relayed, retained and caught up as one), this row says what it carries:
-- 'target' the rollout's value for the instances the targeting names, 'abort' the released value for those it named.
create table rollout_change (
  revision     bigint      primary key,
  rollout      bigint      not null references rollout (id),
  kind         text        not null check (kind in ('target', 'abort')),
  selector     text,
  basis_points integer,
  created_at   timestamptz not null default now(),
  created_by   text        not null
);
create index rollout_change_rollout on rollout_change (rollout, revision);

-- The change log as the change messages carry it: a released version, or a rollout's change with its value and its
-- targeting. Every reader of the change log (relay, catch-up, the propagation's gap fill) reads it through this view.
create view change_message as
select c.revision, c.env, c.key, c.version,
  case when rc.kind = 'target' then r.value else v.value end as value,
  v.deleted, v.critical,
  case when rc.revision is null then v.comment else r.comment end as comment,
  coalesce(rc.created_at, v.created_at) as updated_at,
  coalesce(rc.created_by, v.created_by) as updated_by,
  case when rc.revision is null then v.txn end as txn,
  case when rc.revision is null then v.txn_last end as txn_last,
  rc.rollout as rollout_id, rc.kind as rollout_kind, rc.selector as rollout_selector,
  rc.basis_points as rollout_basis_points
from config_change c
join config_version v using (env, key, version)
left join rollout_change rc on rc.revision = c.revision
left join rollout r on r.id = rc.rollout;
