-- 003_people_identities_teams: what golive keeps besides releases, shared by every golive on the
-- database: people's own settings and digest bookkeeping, the identity record (`whoami link`), and
-- where Teams conversations and people are.
--
-- Recommended grants for golive's own role (see 001_init.sql), after the owner applied this:
--
--   GRANT SELECT, INSERT, UPDATE ON golive.people TO golive_app;
--   GRANT SELECT, INSERT ON golive.identity_audit TO golive_app;   -- append-only, like audit
--   GRANT SELECT, INSERT, UPDATE ON golive.teams_conversations, golive.teams_people TO golive_app;
--   GRANT USAGE ON SEQUENCE golive.teams_changes TO golive_app;

-- One row per person golive keeps a setting for (store/postgres/people-postgres.ts). An update
-- locks the person's row, so two golives changing one person (a digest claimed by both) take turns.
CREATE TABLE people (
  -- The qualified person id, slack:U123.
  person_id text PRIMARY KEY,
  -- PersonPrefs, validated by golive on every read and write.
  prefs jsonb NOT NULL
);

-- The identity record: an audit chain of its own, one row per entry, appended, never changed
-- (store/postgres/identity-postgres.ts). Appends take an advisory lock, so one golive at a time
-- extends the chain.
CREATE TABLE identity_audit (
  seq integer PRIMARY KEY CHECK (seq > 0),
  entry jsonb NOT NULL
);

CREATE FUNCTION golive_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the % table is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER identity_audit_append_only BEFORE UPDATE OR DELETE ON identity_audit FOR EACH ROW EXECUTE FUNCTION golive_append_only();
CREATE TRIGGER identity_audit_no_truncate BEFORE TRUNCATE ON identity_audit FOR EACH STATEMENT EXECUTE FUNCTION golive_append_only();

-- Teams conversation references and people (adapters/teams/conversations-postgres.ts). Each write
-- takes an advisory lock and numbers the rows it writes from teams_changes, so the numbers follow
-- the order writes commit in, and a golive asks only for rows numbered after the newest it has.
CREATE SEQUENCE teams_changes;

CREATE TABLE teams_conversations (
  id text PRIMARY KEY,
  -- ConversationRef; NULL once golive was removed from the conversation (kept, so others learn it).
  reference jsonb,
  changed bigint NOT NULL
);
CREATE INDEX teams_conversations_changed ON teams_conversations (changed);

CREATE TABLE teams_people (
  -- The Teams user id, 29:….
  id text PRIMARY KEY,
  -- TeamsPerson.
  person jsonb NOT NULL,
  changed bigint NOT NULL
);
CREATE INDEX teams_people_changed ON teams_people (changed);
