-- Tokens issued by configd. Only the SHA-256 of a token is kept: the token itself is shown once, when
-- it is created. grants is [{env, prefix, access}]. A revoked or expired token is kept for the record.
create table api_token (
  id           uuid        primary key,
  name         text        not null,
  token_hash   text        not null unique,
  grants       jsonb       not null,
  created_at   timestamptz not null default now(),
  created_by   text        not null,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
