-- Retention (io.configd.retention): the change log and the version history below compacted_revision may be pruned,
-- except each key's current version; a reader asking for the changes after a revision below it is told to take a
-- snapshot (410 revision-compacted). Raised in the same transaction as the rows it prunes.
alter table config_revision add column compacted_revision bigint not null default 0;
