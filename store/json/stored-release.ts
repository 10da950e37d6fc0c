import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Release } from '../../src/domain/release.js';
import type { RefusalTally } from '../../src/app/refusal-tally.js';
import type { Quarantine } from '../../src/app/store-port.js';

// The JSON store passes the port's values straight through.
export type { Commit, StoredRelease } from '../../src/app/store-port.js';

/** A release's record as verification sees it. */
export interface AuditedRecord {
  release: Release;
  audit: AuditEntry[];
  refusals?: RefusalTally;
}

/**
 * How the store checks a release's record; a failing one is quarantined. `streaming`, when given,
 * checks the same entry by entry as the log is read, so a long record is never held whole: when it
 * does not pass, the whole record is read and checked for the verdict and its words.
 */
export interface RecordCheck {
  (record: AuditedRecord): Quarantine | undefined;
  streaming?: () => { add(entry: AuditEntry): boolean; passes(record: Omit<AuditedRecord, 'audit'>): boolean };
}
