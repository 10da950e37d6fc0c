import { AuditEntry } from '../../src/domain/audit-entry.js';
import { Release } from '../../src/domain/release.js';
import { stateHashOf } from '../../src/domain/audit.js';
import { verifyRecord } from '../../src/domain/record-verify.js';
import { RecordStream } from '../../src/domain/record-stream.js';
import type { Db, Queryable } from './db.js';
import { lockRelease, setQuarantine, type ReleaseRow } from './release-rows.js';
import { problems } from './commit-check.js';
import { RefusalTally } from '../../src/app/refusal-tally.js';
import type { RecordVerifier } from '../../src/app/record-check.js';
import type { Quarantine } from '../../src/app/store-port.js';

// What golive's verification says of a release's record (the app's check, or verifyRecord), then
// what only the database can get wrong (the head and request columns agreeing with the entries).
// A failing release is quarantined in its row, so every replica refuses to write it; one that
// verifies again is released. first-use.ts decides when a release is checked; this file, how.

/** The check of a whole record; `streaming`, when given, makes the same check entry by entry. */
export type RecordCheck = RecordVerifier;

/** golive's own check when the app gives none: the chain, and the state sealed by its head. */
export function defaultRecordCheck(key?: string): RecordCheck {
  const check: RecordCheck = (record) => {
    const verdict = verifyRecord(record, { key });
    return verdict.ok ? undefined : { seq: verdict.seq, message: verdict.message };
  };
  check.streaming = () => {
    const stream = new RecordStream({ key });
    return { add: (entry) => stream.add(entry), passes: ({ release }) => stream.verdict(release) !== undefined };
  };
  return check;
}

/**
 * Checks release `id`'s whole record under its row lock and records the finding in the row: a
 * problem quarantines it (logged), a quarantined record that verifies now is released (logged).
 * Holds every entry: the path taken when the streamed check does not pass, to name what is wrong.
 */
export async function recheckUnderLock(db: Db, id: string, check: RecordCheck, log: (message: string) => void): Promise<Quarantine | undefined> {
  return db.transaction(async (tx) => {
    // Locked, so no replica appends while the chain and the state are read.
    const row = await lockRelease(tx, id);
    if (!row) return undefined;
    const found = await problemOf(tx, id, row, check);
    const was = row.quarantine;
    if (found) {
      if (was?.seq !== found.seq || was.message !== found.message) await setQuarantine(tx, id, found);
      log(`release "${id}": quarantined, its record fails verification at entry ${found.seq}: ${found.message}`);
    } else if (was) {
      await setQuarantine(tx, id, null);
      log(`release "${id}": its record verifies now; it was quarantined (entry ${was.seq}: ${was.message}) and is written again`);
    }
    return found;
  });
}

/** Whether the state and refusals stored in `row` are what they must be; the problem if not. */
export function rowValuesProblem(id: string, row: Pick<ReleaseRow, 'state' | 'refusals' | 'head_seq'>): Quarantine | { refusals?: RefusalTally } {
  const release = Release.safeParse(row.state);
  if (!release.success) return { seq: row.head_seq, message: `The stored state of the release is not a valid release: ${problems(release.error)}.` };
  if (release.data.id !== id) return { seq: row.head_seq, message: `The stored state is release "${release.data.id}", not "${id}".` };
  const refusals = row.refusals === null ? undefined : RefusalTally.safeParse(row.refusals);
  if (refusals && !refusals.success) return { seq: row.head_seq, message: `The refusals counted beside the chain are not valid: ${problems(refusals.error)}.` };
  return refusals ? { refusals: refusals.data } : {};
}

export function isQuarantine(value: object): value is Quarantine {
  return 'message' in value;
}

export interface AuditRow {
  seq: number;
  request_id: string | null;
  entry: unknown;
}

async function problemOf(tx: Queryable, id: string, row: ReleaseRow, check: RecordCheck): Promise<Quarantine | undefined> {
  const values = rowValuesProblem(id, row);
  if (isQuarantine(values)) return values;
  const rows = (await tx.query<AuditRow>('SELECT seq, request_id, entry FROM audit WHERE release_id = $1 ORDER BY seq', [id])).rows;
  const audit: AuditEntry[] = [];
  for (const auditRow of rows) {
    const entry = AuditEntry.safeParse(auditRow.entry);
    if (!entry.success) return { seq: auditRow.seq, message: `Entry ${auditRow.seq} is not a valid audit entry: ${problems(entry.error)}.` };
    audit.push(entry.data);
  }
  // The state as stored, not as parsed (with defaults filled in): its hash is what the head seals.
  const found = check({ release: row.state as Release, audit, ...(values.refusals && { refusals: values.refusals }) });
  if (found) return found;
  return columnsProblem(row, rows, audit);
}

// The chain verified: now the columns the store reads by must say what the entries say.
function columnsProblem(row: ReleaseRow, rows: readonly AuditRow[], audit: readonly AuditEntry[]): Quarantine | undefined {
  for (const [at, entry] of audit.entries()) {
    const auditRow = rows[at]!;
    if (auditRow.seq !== entry.seq) return { seq: entry.seq, message: `Entry ${entry.seq} is stored as number ${auditRow.seq}: the log was changed outside golive.` };
    if (auditRow.request_id !== (entry.request ?? null)) {
      return {
        seq: entry.seq,
        message: `Entry ${entry.seq} is indexed under request ${JSON.stringify(auditRow.request_id)}, but records ${JSON.stringify(entry.request ?? null)}: the log was changed outside golive.`,
      };
    }
  }
  const last = audit.at(-1);
  if (row.head_seq !== (last?.seq ?? 0) || row.head_hash !== (last?.hash ?? null)) {
    return {
      seq: last?.seq ?? 0,
      message: `The release's head says entry ${row.head_seq} is the newest, but its log ends at entry ${last?.seq ?? 0}${row.head_seq === last?.seq ? ' with another hash' : ''}: the log or the head was changed outside golive.`,
    };
  }
  return undefined;
}

/**
 * What a transaction checks of the row it locked before it runs: the head is the entry the row
 * names, and (where entries seal state) the state is the one it seals. Something changed outside
 * golive since the store opened otherwise.
 */
export function lockedRowProblem(row: ReleaseRow): Quarantine | undefined {
  if (row.head_seq === 0) return undefined;
  const head = AuditEntry.safeParse(row.head);
  if (!head.success || head.data.seq !== row.head_seq || head.data.hash !== row.head_hash) {
    return { seq: row.head_seq, message: `Entry ${row.head_seq}, the head of the release's record, is missing or changed: the log was changed outside golive.` };
  }
  if (head.data.stateHash !== undefined && head.data.stateHash !== stateHashOf(row.state)) {
    return {
      seq: row.head_seq,
      message: `The stored state of the release does not match entry ${row.head_seq}, the newest in its record: it was changed outside golive.`,
    };
  }
  return undefined;
}
