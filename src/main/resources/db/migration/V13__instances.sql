-- Instances (io.configd.instances): who runs what. Each node's heartbeat writes the instances connected to it, in one
-- batch, so that every node lists the whole cluster's with PostgreSQL alone (Redis may be down). One row per instance
-- and node it is connected to; a row is connected while gone_at is null and its node keeps refreshing last_seen.
create table instance_presence (
  instance_id text not null,
  node text not null,
  app text,
  labels jsonb not null,
  transports text[] not null,
  -- [{"env": "production", "prefix": "services.payment"}]: what it watches (bridge registrations, SSE, HTTP reads)
  watches jsonb not null,
  -- {"production": {"revision": 42, "failures": 0, "keys": {"services.payment.pool_size": 3}}}: what it applied
  acks jsonb not null,
  connected_at timestamptz not null,
  last_seen timestamptz not null,
  gone_at timestamptz,
  primary key (instance_id, node)
);

create index instance_presence_node on instance_presence (node) where gone_at is null;
create index instance_presence_seen on instance_presence (coalesce(gone_at, last_seen));
