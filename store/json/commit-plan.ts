import type { z } from 'zod';
import { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { RefusalTally } from '../../src/app/refusal-tally.js';
import { StoreError } from '../../src/app/store-port.js';
import { AuditEntry, GENESIS_HASH } from '../../src/domain/audit-entry.js';
import { canonicalJson, stateHashOf } from '../../src/domain/audit.js';
import { Release } from '../../src/domain/release.js';
import { entryLine } from './audit-log.js';
import { outboxLine } from './outbox-log.js';
import { stateFileOf, stateText, storedOf, type StateFile } from './state-file.js';
import type { Commit, StoredRelease } from './stored-release.js';

/** What one commit writes, validated and serialised before the first byte goes to disk. */
export interface CommitPlan {
  /** The new state, when the commit changes it (entries, release or refusals). */
  next?: { state: StateFile; text: string };
  entries: AuditEntry[];
  /** Each entry's line, in bytes (for the log's index). */
  entryBytes: number[];
  entriesText: string;
  outbox: OutboxMessage[];
  outboxText: string;
  /** The release as it will be once committed. */
  stored: StoredRelease;
}

/**
 * Checks `commit` against the state it was made from and serialises it; undefined when it
 * changes nothing. Rejects with a StoreError (nothing written) when a part is invalid, the
 * entries do not continue the chain, or the state would change without an entry sealing it.
 */
export function planCommit(id: string, base: StateFile, baseStateHash: string, given: Commit<unknown>): CommitPlan | undefined {
  // Copied first: validation keeps nested values (an entry's before/after) as they are, and what
  // the caller keeps must not reach the committed state.
  const commit = structuredClone({ release: given.release, append: given.append, outbox: given.outbox, refusals: given.refusals });
  const label = `release "${id}"`;
  const release = commit.release === undefined ? base.release : valid(Release, commit.release, `${label}: the new state`);
  if (release.id !== id) throw new StoreError(`${label} cannot change its id to "${release.id}"`);
  const releaseHash = commit.release === undefined ? baseStateHash : stateHashOf(release);
  const releaseChanged = releaseHash !== baseStateHash;

  const entries = (commit.append ?? []).map((entry, at) => valid(AuditEntry, entry, `${label}: audit entry ${at + 1} of this write`));
  let previous = { seq: base.head?.seq ?? 0, hash: base.head?.hash ?? GENESIS_HASH };
  for (const entry of entries) {
    if (entry.seq !== previous.seq + 1 || entry.prevHash !== previous.hash) {
      throw new StoreError(`${label}: audit entry ${entry.seq} does not continue the chain from entry ${previous.seq}; nothing was written`);
    }
    previous = entry;
  }
  const last = entries[entries.length - 1];
  if (last && last.stateHash !== releaseHash) {
    throw new StoreError(`${label}: audit entry ${last.seq}, the newest of this write, does not seal the state it leaves (its stateHash differs); nothing was written`);
  }
  if (!last && releaseChanged) throw new StoreError(`${label}: a change to the release must append the audit entry that seals it; nothing was written`);

  const refusals = commit.refusals === undefined ? base.refusals : commit.refusals === null ? undefined : valid(RefusalTally, commit.refusals, `${label}: the refusal tally`);
  const refusalsChanged = canonicalJson(refusals ?? null) !== canonicalJson(base.refusals ?? null);

  // One version per id: the last one given wins, as it would had they been written one by one.
  const byId = new Map<string, OutboxMessage>();
  for (const [at, message] of (commit.outbox ?? []).entries()) {
    const parsed = valid(OutboxMessage, message, `${label}: outbox message ${at + 1} of this write`);
    byId.delete(parsed.id);
    byId.set(parsed.id, parsed);
  }
  const outbox = [...byId.values()];

  const stateChanged = entries.length > 0 || releaseChanged || refusalsChanged;
  if (!stateChanged && outbox.length === 0) return undefined;
  const stored: StoredRelease = {
    // The validated copy whenever one was given: never an object the caller still holds.
    release,
    ...((last ?? base.head) !== undefined && { head: last ?? base.head }),
    ...(refusals !== undefined && { refusals }),
  };
  const nextState = stateChanged ? stateFileOf(stored, base.revision + 1) : undefined;
  const lines = entries.map(entryLine);
  return {
    ...(nextState && { next: { state: nextState, text: stateText(nextState) } }),
    entries,
    entryBytes: lines.map((line) => Buffer.byteLength(line)),
    entriesText: lines.join(''),
    outbox,
    // Tagged with the revision the state has once this commit is in: see release-files.ts.
    outboxText: outbox.length > 0 ? outboxLine(nextState?.revision ?? base.revision, outbox) : '',
    stored: nextState ? storedOf(nextState) : stored,
  };
}

function valid<S extends z.ZodType>(schema: S, value: unknown, label: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const shown = result.error.issues.slice(0, 3).map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`);
  throw new StoreError(`${label} is not valid: ${shown.join('; ')}; nothing was written`);
}
