import { z } from 'zod';
import { RefusalTally } from '../../src/app/refusal-tally.js';
import { AuditEntry } from '../../src/domain/audit-entry.js';
import { keysInOrder } from '../../src/domain/audit.js';
import { Release } from '../../src/domain/release.js';
import type { StoredRelease } from './stored-release.js';

export const STATE_VERSION = 2;

/**
 * `<id>.state.json` (and `<id>.state.next.json` while a commit is under way): everything about a
 * release that is not history. `revision` counts the commits that rewrote this file; an outbox
 * line carries the revision it was written under, so a line whose revision the state never
 * reached belongs to a commit that did not happen (see release-files.ts).
 */
export const StateFile = z
  .object({
    version: z.literal(STATE_VERSION),
    revision: z.number().int().nonnegative(),
    release: Release,
    head: AuditEntry.optional(),
    refusals: RefusalTally.optional(),
  })
  .strict();
export type StateFile = z.infer<typeof StateFile>;

export function stateFileOf(stored: StoredRelease, revision: number): StateFile {
  return {
    version: STATE_VERSION,
    revision,
    release: stored.release,
    ...(stored.head !== undefined && { head: stored.head }),
    ...(stored.refusals !== undefined && { refusals: stored.refusals }),
  };
}

export function storedOf(state: StateFile): StoredRelease {
  return {
    release: state.release,
    ...(state.head !== undefined && { head: state.head }),
    ...(state.refusals !== undefined && { refusals: state.refusals }),
  };
}

/** The file's text: keys in canonical order at every depth, so the release's seal is quick to check when it is read back. */
export function stateText(state: StateFile): string {
  return `${JSON.stringify(state, keysInOrder, 2)}\n`;
}
