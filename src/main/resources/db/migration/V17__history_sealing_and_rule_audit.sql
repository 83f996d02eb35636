-- Secrets: a key made secret has its history sealed in the background (SecretsVerticle): its versions, pending ops and the
-- values of its rollouts written before it became secret get the mask as their value and their ciphertext beside it,
-- as a secret's are from the start (V10, V15). A rollout's ciphertext and data key go here.
alter table rollout add column sealed text, add column data_key integer;

-- The audit of schema and policy changes (GET /v1/audit/rules): every version of either gets the next number of one
-- sequence, the listing's order and cursor (the versions stored before are numbered as they come).
create sequence guard_rule_audit;
alter table config_schema add column audit_seq bigint not null default nextval('guard_rule_audit');
alter table approval_policy add column audit_seq bigint not null default nextval('guard_rule_audit');
