import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { ReleaseRecord } from '../../src/app/record-check.js';
import type { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { StoreError } from '../../src/app/store-port.js';
import type { Db, Queryable } from './db.js';
import { assertContinues, assertSealed, validEntries, validOutbox, validRefusals, validRelease } from './commit-check.js';
import { appendEntries, followChannels, insertRelease, updateRelease, upsertOutbox } from './release-rows.js';
import type { RecordCheck } from './record-check.js';

// Copying a release's whole record into the database in one transaction: the ground for moving a
// JSON store to PostgreSQL (`migrate`). The record must verify before it is copied, and the copy
// as the database then holds it must verify too, inside the same transaction, or nothing is kept.

/** Entries inserted per statement: a long chain goes in as several statements of bounded size. */
const ENTRIES_PER_STATEMENT = 1000;

export interface ImportedRecord extends ReleaseRecord {
  outbox: readonly OutboxMessage[];
}

/**
 * Inserts `record` as a new release (in a database already migrated, see applyMigrations), its chain, outbox and counted refusals. Rejects with a
 * StoreError, keeping nothing, when a release of that id is already there (ChannelTakenError for a
 * channel another release follows), when the record fails `check` before the copy, or when the
 * copy read back fails it.
 */
export async function importRecord(db: Db, record: ImportedRecord, check: RecordCheck): Promise<void> {
  const release = validRelease(record.release, `the release to copy${typeof record.release?.id === 'string' ? ` "${record.release.id}"` : ''}`);
  const id = release.id;
  const audit = validEntries(record.audit, id);
  const outbox = validOutbox(record.outbox, id);
  const refusals = record.refusals === undefined ? undefined : validRefusals(record.refusals, id);
  const head = audit.at(-1);
  if (!head) throw new StoreError(`release "${id}" has no audit entries, not even the one that created it: nothing to copy`);
  assertContinues(id, undefined, audit);
  assertSealed(id, head, release);
  const before = check({ release, audit, ...(refusals && { refusals }) });
  if (before) throw new StoreError(`release "${id}" is not copied: its record fails verification at entry ${before.seq}: ${before.message}`);

  try {
    await db.transaction(async (tx) => {
      if (!(await insertRelease(tx, release, head))) throw new StoreError(`release "${id}" is not copied: the database already holds a release of that id`);
      await followChannels(tx, id, release.channels);
      for (let from = 0; from < audit.length; from += ENTRIES_PER_STATEMENT) await appendEntries(tx, id, audit.slice(from, from + ENTRIES_PER_STATEMENT));
      await upsertOutbox(tx, id, outbox);
      if (refusals) await updateRelease(tx, id, { refusals });
      const after = check(await readBack(tx, id));
      if (after) throw new StoreError(`release "${id}" is not copied: the copy fails verification at entry ${after.seq}: ${after.message}`);
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`${db.label}: release "${id}" is not copied: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function readBack(tx: Queryable, id: string): Promise<ReleaseRecord> {
  const row = (await tx.query<{ state: ReleaseRecord['release']; refusals: ReleaseRecord['refusals'] | null }>('SELECT state, refusals FROM releases WHERE id = $1', [id])).rows[0]!;
  const audit = (await tx.query<{ entry: AuditEntry }>('SELECT entry FROM audit WHERE release_id = $1 ORDER BY seq', [id])).rows.map((entry) => entry.entry);
  return { release: row.state, audit, ...(row.refusals !== null && { refusals: row.refusals }) };
}
