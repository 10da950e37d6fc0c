import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Release } from '../../src/domain/release.js';
import type { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import type { RefusalTally } from '../../src/app/refusal-tally.js';

// The shapes of the async Store port (src/app/store-port.ts), structurally the same as its own;
// the JSON store passes the port's values straight through.

/** What the store holds for one release apart from its audit log and outbox: small, rewritten on each write. */
export interface StoredRelease {
  release: Release;
  /** The newest audit entry (the chain's head), if any. Its stateHash seals `release`. */
  head?: AuditEntry;
  /** Refusals counted beside the chain (see change.ts). */
  refusals?: RefusalTally;
}

/** What one transaction commits, atomically: all of it or nothing. */
export interface Commit<T> {
  /** The new state; absent: unchanged. */
  release?: Release;
  /** Entries to append, already sealed, continuing from `current.head`. */
  append?: AuditEntry[];
  /** Outbox messages to insert or replace (by id). */
  outbox?: OutboxMessage[];
  /** The refusal tally after this commit: a value replaces it, null clears it, absent keeps it. */
  refusals?: RefusalTally | null;
  result: T;
}

/** A release's record as verification sees it. */
export interface AuditedRecord {
  release: Release;
  audit: AuditEntry[];
  refusals?: RefusalTally;
}
