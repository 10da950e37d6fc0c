import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Release } from '../../src/domain/release.js';
import type { RefusalTally } from '../../src/app/refusal-tally.js';

// The JSON store passes the port's values straight through.
export type { Commit, StoredRelease } from '../../src/app/store-port.js';

/** A release's record as verification sees it. */
export interface AuditedRecord {
  release: Release;
  audit: AuditEntry[];
  refusals?: RefusalTally;
}
