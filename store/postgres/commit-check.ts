import type { z } from 'zod';
import { AuditEntry, GENESIS_HASH } from '../../src/domain/audit-entry.js';
import { entryHash, stateHashOf } from '../../src/domain/audit.js';
import { Release } from '../../src/domain/release.js';
import { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { RefusalTally } from '../../src/app/refusal-tally.js';
import { StoreError } from '../../src/app/store-port.js';

// What a write must be before any of it reaches the database: each part valid, the entries
// continuing the chain from its head, and the head sealing the state that is written. The store
// never writes a record it would quarantine when it next opens.

/** The chain's head as the releases row records it. */
export interface Head {
  seq: number;
  hash: string;
  at?: string;
}

export function validRelease(value: unknown, label: string): Release {
  return valid(Release, value, `${label} is not valid`);
}

export function validEntries(values: readonly unknown[], id: string): AuditEntry[] {
  return values.map((value, at) => valid(AuditEntry, value, `release "${id}": audit entry ${at + 1} of the ${values.length} to append is not valid`));
}

/** The messages to write, one per id (the last of a repeated id wins, as it would in sequence). */
export function validOutbox(values: readonly unknown[], id: string): OutboxMessage[] {
  const byId = new Map<string, OutboxMessage>();
  for (const value of values) {
    const message = valid(OutboxMessage, value, `release "${id}": an outbox message is not valid`);
    byId.delete(message.id);
    byId.set(message.id, message);
  }
  return [...byId.values()];
}

export function validRefusals(value: unknown, id: string): RefusalTally {
  return valid(RefusalTally, value, `release "${id}": the refusal tally is not valid`);
}

/**
 * Entries must follow `head` one by one (numbered on, sealed after the entry before, never going
 * back in time), and an unkeyed entry's hash must be its content's; a keyed one is checked at
 * open, where the key is known.
 */
export function assertContinues(id: string, head: Head | undefined, entries: readonly AuditEntry[]): void {
  let prev = head;
  for (const entry of entries) {
    const seq = (prev?.seq ?? 0) + 1;
    if (entry.seq !== seq || entry.prevHash !== (prev?.hash ?? GENESIS_HASH)) {
      throw new StoreError(`release "${id}": audit entry ${entry.seq} does not continue the chain (the next entry must be ${seq}, sealed after ${prev ? `entry ${prev.seq}` : 'the start'})`);
    }
    if (!entry.keyed && entryHash(entry) !== entry.hash) throw new StoreError(`release "${id}": audit entry ${entry.seq} does not match its own hash`);
    if (prev?.at !== undefined && Date.parse(entry.at) < Date.parse(prev.at)) {
      throw new StoreError(`release "${id}": audit entry ${entry.seq} is dated ${entry.at}, before entry ${prev.seq} (${prev.at})`);
    }
    prev = entry;
  }
}

/** The newest entry, once the write is done, must seal the state written (where entries carry state hashes). */
export function assertSealed(id: string, head: AuditEntry | undefined, state: Release): void {
  if (head?.stateHash === undefined || head.stateHash === stateHashOf(state)) return;
  throw new StoreError(`release "${id}": the state to write is not the one sealed by entry ${head.seq}, the newest of its record (a change of state needs its audit entry)`);
}

function valid<S extends z.ZodType>(schema: S, value: unknown, label: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new StoreError(`${label}: ${problems(result.error)}`);
  return result.data;
}

const SHOWN_PROBLEMS = 3;

/** "criteria.0.responses.1.at: must be an ISO 8601 timestamp", for the first few issues. */
export function problems(error: z.ZodError): string {
  const shown = error.issues.slice(0, SHOWN_PROBLEMS).map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}
