import { sealEntry, stateHashOf } from '../../src/domain/audit.js';
import type { AuditEntry, UnsealedAuditEntry } from '../../src/domain/audit-entry.js';
import type { Release } from '../../src/domain/release.js';
import type { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import type { RefusalTally } from '../../src/app/refusal-tally.js';
import type { Commit, Store, StoredRelease } from '../../src/app/store-port.js';

// Building and reading records through the Store port only, for tests that need a release in a
// store without going through the app.

const TESTER = { id: 'console:tester', platform: 'console' } as const;

/** An entry sealed after `head` (the first entry when there is none) over `release`. */
export function entryAfter(head: AuditEntry | undefined, release: Release, fields: Partial<Omit<UnsealedAuditEntry, 'stateHash'>> = {}, key?: string): AuditEntry {
  const at = fields.at ?? (head ? head.at : release.createdAt);
  return sealEntry(head ? [head] : [], { at, actor: TESTER, command: 'test', outcome: 'applied', ...fields, stateHash: stateHashOf(release) }, key);
}

/** Creates `release` with a first entry sealing it. */
export async function createRelease(store: Store, release: Release, outbox: OutboxMessage[] = []): Promise<AuditEntry> {
  const first = entryAfter(undefined, release, { command: 'create' });
  await store.create(release, first, outbox);
  return first;
}

/** A commit that edits a copy of the release and seals the change with one entry. */
export function edited(current: StoredRelease, edit: (release: Release) => void, fields: Partial<Omit<UnsealedAuditEntry, 'stateHash'>> = {}): Commit<AuditEntry> {
  const release = structuredClone(current.release);
  edit(release);
  const entry = entryAfter(current.head, release, fields);
  return { release, append: [entry], result: entry };
}

/** Edits release `id` in one transaction, sealed with one entry; resolves with the entry. */
export function editRelease(store: Store, id: string, edit: (release: Release) => void, fields: Partial<Omit<UnsealedAuditEntry, 'stateHash'>> = {}): Promise<AuditEntry> {
  return store.transact(id, (current) => edited(current, edit, fields));
}

/** A release's whole record as the port shows it, for assertions. */
export interface FullRecord {
  release: Release;
  audit: AuditEntry[];
  outbox: OutboxMessage[];
  refusals?: RefusalTally;
}

/** The record of release `id`; throws when there is none. */
export async function recordOf(store: Store, id: string): Promise<FullRecord> {
  const stored = await store.get(id);
  if (!stored) throw new Error(`the store has no release "${id}"`);
  return { release: stored.release, audit: await store.audit(id), outbox: await store.outbox(id), ...(stored.refusals && { refusals: stored.refusals }) };
}
