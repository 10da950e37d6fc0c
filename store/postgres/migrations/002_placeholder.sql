-- 002_placeholder: holds the place of the migration another branch adds as 002 (the outbox's
-- claims), so this branch's 003 follows without a gap. Replaced by that migration at merge.
SELECT 1;
