-- 004_outbox_claims: claims on outbox messages being delivered, and named leases (several replicas).
--
-- A replica claims due messages (claimed_by, lease_until, already in 001) with FOR UPDATE SKIP
-- LOCKED before it delivers them; recording the outcome ends the claim. claimed_since is when the
-- first claim since the last outcome was taken: a claim taken over after its lease ended (the
-- replica died mid-delivery) keeps it, so the next one knows since when the platform may already
-- show the message.
--
-- leases: one holder at a time for work only one replica should do (the schedule tick, the daily
-- digest); another takes over once the holder stops renewing. golive's role needs
--   GRANT SELECT, INSERT, UPDATE ON golive.leases TO golive_app;

ALTER TABLE outbox ADD COLUMN claimed_since timestamptz;

CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  lease_until timestamptz NOT NULL
);
