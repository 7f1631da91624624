-- Wake the sync agent when outbox rows commit (LISTEN annex_sync_outbox), so it neither polls
-- the database in a tight loop nor waits for the next poll. A rule rather than a trigger: one
-- statement (Prisma's migration runner splits on semicolons, which a plpgsql body contains), and
-- one notification per INSERT statement, delivered at commit.
CREATE RULE "SyncOutbox_notify" AS ON INSERT TO "SyncOutbox" DO ALSO NOTIFY annex_sync_outbox;
