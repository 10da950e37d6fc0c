-- 001_init: releases, their channels, their audit chains and their outboxes.
--
-- Applied by golive at start (store/postgres/migrate.ts), in one transaction, under an advisory
-- lock, and recorded in golive_schema. Later migrations add tables beside these (the inbox,
-- people, identity links) as 002_…, 003_…; a migration is never edited once released.
--
-- Recommended set-up: an owner role applies the migrations (start golive once with its URL, or
-- whenever the code brings a new one); golive itself runs as a role that cannot rewrite history:
--
--   CREATE ROLE golive_owner LOGIN;  CREATE ROLE golive_app LOGIN;
--   CREATE SCHEMA golive AUTHORIZATION golive_owner;
--   -- after the owner's first start:
--   GRANT USAGE ON SCHEMA golive TO golive_app;
--   GRANT SELECT ON golive.golive_schema TO golive_app;
--   GRANT SELECT, INSERT, UPDATE ON golive.releases, golive.outbox TO golive_app;
--   GRANT SELECT, INSERT, DELETE ON golive.release_channels TO golive_app;
--   GRANT SELECT, INSERT ON golive.audit TO golive_app;   -- append-only: no UPDATE, DELETE or TRUNCATE
--
-- and both URLs name the schema: postgres://golive_app@host/db?options=-c%20search_path%3Dgolive
-- golive_app needs no DDL right while the database is at the code's version (golive then only
-- reads golive_schema); started against an older schema it stops, saying the owner must migrate.
-- (test/postgres-grants.test.ts does exactly this on the server.)
-- The trigger below refuses UPDATE, DELETE and TRUNCATE on audit even for the owner, against
-- mistakes: only someone who can disable triggers (the owner) can change an entry, and the chain
-- shows that change when golive next opens the store.

CREATE TABLE releases (
  id text PRIMARY KEY,
  -- Creation order, for listing: assigned at insert, never reused.
  created_order bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- The Release, validated by golive before every write.
  state jsonb NOT NULL,
  -- The chain's head: the newest entry's seq and hash (0 and NULL before the first).
  head_seq integer NOT NULL CHECK (head_seq >= 0),
  head_hash text CHECK (head_hash ~ '^[0-9a-f]{64}$'),
  -- Refused attempts counted beside the chain until the next entry seals them.
  refusals jsonb,
  -- Set when the record failed verification as golive opened the store: { seq, message }.
  -- A quarantined release is read, never written, by every replica.
  quarantine jsonb,
  CHECK ((head_seq = 0) = (head_hash IS NULL))
);

-- Which release follows a channel: at most one, whichever replica writes.
CREATE TABLE release_channels (
  platform text NOT NULL,
  channel_id text NOT NULL,
  release_id text NOT NULL REFERENCES releases (id),
  CONSTRAINT release_channels_channel_key PRIMARY KEY (platform, channel_id)
);
CREATE INDEX release_channels_release ON release_channels (release_id);

-- One row per audit entry, appended, never changed.
CREATE TABLE audit (
  release_id text NOT NULL REFERENCES releases (id),
  seq integer NOT NULL CHECK (seq > 0),
  -- The platform request the entry answers (entry.request), found again after a crash.
  request_id text,
  entry jsonb NOT NULL,
  PRIMARY KEY (release_id, seq)
);
CREATE INDEX audit_request ON audit (release_id, request_id) WHERE request_id IS NOT NULL;

CREATE FUNCTION golive_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on audit is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION golive_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION golive_audit_append_only();

-- What golive has decided to say, and how its delivery went.
CREATE TABLE outbox (
  release_id text NOT NULL REFERENCES releases (id),
  id text NOT NULL,
  -- Insertion order: a message replaced by id keeps its place.
  position bigint GENERATED ALWAYS AS IDENTITY,
  message jsonb NOT NULL,
  -- Copied from the message, for finding due ones: status, createdAt, nextAttemptAt.
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  due_at timestamptz,
  -- A replica's claim on a message it is delivering, until the lease ends (several replicas).
  claimed_by text,
  lease_until timestamptz,
  PRIMARY KEY (release_id, id)
);
CREATE INDEX outbox_pending ON outbox (created_at, position) WHERE status = 'pending';
