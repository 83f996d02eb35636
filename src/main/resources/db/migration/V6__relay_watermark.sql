-- The publisher relays the change log in revision order, so "relayed" is one number: every revision up to
-- config_relay.revision is in Kafka. Marking a batch is then one row updated (in the statement that fetches
-- the next batch), not one row per change, and a write no longer feeds a partial index of unpublished rows.
create table config_relay (
  id       smallint primary key check (id = 1),
  revision bigint   not null
);
insert into config_relay (id, revision)
select 1, coalesce((select min(revision) - 1 from config_change where published_at is null),
                   (select max(revision) from config_change), 0);

drop index config_change_unpublished;
alter table config_change drop column published_at;
