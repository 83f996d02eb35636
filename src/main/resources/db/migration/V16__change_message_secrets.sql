-- The change message (V11) with the secret flag and the ciphertext (V10, V15): what the relay, the catch-up and the
-- revision order read. A rollout's value of a secret key is never served: such a change carries the mask, unsealed.
create or replace view change_message as
select c.revision, c.env, c.key, c.version,
  case when rc.kind = 'target' and not v.secret then r.value else v.value end as value,
  v.deleted, v.critical,
  case when rc.revision is null then v.comment else r.comment end as comment,
  coalesce(rc.created_at, v.created_at) as updated_at,
  coalesce(rc.created_by, v.created_by) as updated_by,
  case when rc.revision is null then v.txn end as txn,
  case when rc.revision is null then v.txn_last end as txn_last,
  rc.rollout as rollout_id, rc.kind as rollout_kind, rc.selector as rollout_selector,
  rc.basis_points as rollout_basis_points,
  v.secret,
  case when rc.kind = 'target' then null else v.sealed end as sealed
from config_change c
join config_version v using (env, key, version)
left join rollout_change rc on rc.revision = c.revision
left join rollout r on r.id = rc.rollout;
