-- The database's epoch, kept with the revision counter: it names this database's history. A node that finds the
-- database behind what Kafka already carries (a restored dump) starts a new epoch (see io.configd.restore), so that
-- clients holding revisions of the lost history take a fresh snapshot. Epochs are milliseconds since 1970 at the
-- moment they began, and only grow: a new one is at least the old one plus one.
alter table config_revision add column epoch bigint not null default 0;
update config_revision set epoch = (extract(epoch from clock_timestamp()) * 1000)::bigint;
