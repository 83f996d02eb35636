-- Several approvers (issue 17): a policy's approvals, how many distinct principals (never the author) must approve
-- a change it holds (null: one); a pending change keeps how many it needs and who approved it so far (the last one
-- commits it).
alter table approval_policy add column approvals integer check (approvals between 1 and 10);
alter table pending_change add column approvals_needed integer not null default 1,
  add column approvals text[] not null default '{}';
