-- 002_inbox: the inbox every replica shares (store/postgres/pg-inbox.ts).
--
-- A platform request is a row here before the platform is acknowledged; its id is the platform's
-- own (Slack's trigger_id, Teams' activity id), so a retry sent to any replica is recognised. The
-- replica that received it holds a lease while it handles it; a row not done whose lease ended
-- was abandoned (that replica died) and is claimed by one other replica, which handles it again.
-- Done rows are kept for a week, for a late retry and for whoever looks into a request, then
-- deleted by the replicas' periodic passes.
--
-- With the recommended roles (001_init.sql): GRANT SELECT, INSERT, UPDATE, DELETE ON golive.inbox TO golive_app;

CREATE TABLE inbox (
  id text PRIMARY KEY,
  -- Order received, for handling abandoned requests oldest first.
  position bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- Copied from the entry, for claiming only what a replica's platforms can answer.
  platform text NOT NULL,
  -- The Received record (src/app/inbox.ts), validated by golive before every write and after every read.
  entry jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  -- The replica that received it, or claimed it last, or marked it done.
  holder text NOT NULL,
  -- Until when that replica's claim lasts; NULL once done.
  lease_until timestamptz,
  done_at timestamptz,
  -- One line: what the person was answered.
  outcome text,
  CHECK ((done_at IS NULL) = (outcome IS NULL)),
  CHECK ((done_at IS NULL) = (lease_until IS NOT NULL))
);
CREATE INDEX inbox_waiting ON inbox (lease_until, position) WHERE done_at IS NULL;
CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;
