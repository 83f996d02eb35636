-- Alerts owed to webhooks: one row per (revision, webhook), written by the notification consumer
-- before it commits its offset, then delivered asynchronously per webhook with retries.
create table notification (
  revision        bigint      not null,
  webhook         text        not null,
  env             text        not null,
  key             text        collate "C" not null,
  payload         jsonb       not null,
  status          text        not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts        integer     not null default 0,
  last_error      text,
  next_attempt_at timestamptz not null default now(),
  created_at      timestamptz not null default now(),
  finished_at     timestamptz,
  primary key (revision, webhook)
);
create index notification_due on notification (webhook, next_attempt_at, revision) where status = 'pending';

-- Every delivery attempt and its outcome, for operators asking "why did this alert not arrive".
create table notification_attempt (
  revision     bigint      not null,
  webhook      text        not null,
  attempt      integer     not null,
  attempted_at timestamptz not null default now(),
  status_code  integer,
  error        text,
  primary key (revision, webhook, attempt),
  foreign key (revision, webhook) references notification (revision, webhook)
);
