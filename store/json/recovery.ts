import { GENESIS_HASH, type AuditEntry } from '../../src/domain/audit-entry.js';
import type { Quarantine } from '../../src/app/store-port.js';
import type { ParsedLog } from './audit-log.js';
import type { StateFile } from './state-file.js';

// What a crash can leave between a release's files, and what each leftover means. Pure: it only
// decides; release-files.ts applies the decision. The commit protocol it assumes is written down
// at the top of release-files.ts.

/** The next-state file as found: parsed, present but unfinished (a crash while writing it), or absent. */
export type FoundNext = StateFile | 'torn' | undefined;

export type Recovery =
  /** The state to use; the files to put right first (nothing when all is consistent). */
  | {
      kind: 'state';
      state: StateFile;
      /** Rename the next-state file over the state: its commit reached the log. */
      promote: boolean;
      /** Remove the next-state file: its commit never reached the log. */
      dropNext: boolean;
      /** Cut the log to this many bytes: a torn line, or the first entries of a commit that never completed. */
      cutLogTo?: number;
      /** How many of the log's entries are committed. */
      entries: number;
    }
  /** A create that never completed: its files are removed and the release does not exist. */
  | { kind: 'uncreated' }
  /** Files no crash of this protocol leaves: the release is read-only, and nothing is touched. */
  | { kind: 'quarantine'; state: StateFile; problem: Quarantine }
  /** No state at all to read the release from. */
  | { kind: 'unreadable'; message: string };

export function planRecovery(state: StateFile | undefined, next: FoundNext, log: ParsedLog): Recovery {
  const last = log.entries[log.entries.length - 1];
  const cutTorn = log.complete < log.size ? { cutLogTo: log.complete } : {};
  const validNext = next !== undefined && next !== 'torn' ? next : undefined;

  if (state === undefined) {
    // Only a create (or a conversion, which redoes itself from the old document) writes the
    // next-state file with no state beside it; its log holds the first entry, or nothing yet.
    if (validNext && last && same(last, validNext.head)) return { kind: 'state', state: validNext, promote: true, dropNext: false, ...cutTorn, entries: log.entries.length };
    if (next !== undefined && log.entries.length <= 1) return { kind: 'uncreated' };
    return { kind: 'unreadable', message: 'there is no state file beside the audit log, and no create under way explains it' };
  }

  // Where the state's head is in the log: at the end, normally, so search from there.
  const headAt = state.head === undefined ? -1 : lastIndexOf(log.entries, state.head);
  const headEnd = headAt < 0 ? 0 : log.ends[headAt]!;
  const headFound = state.head === undefined || headAt >= 0;

  if (validNext && last && same(last, validNext.head) && !same(last, state.head) && headFound) {
    return { kind: 'state', state: validNext, promote: true, dropNext: false, ...cutTorn, entries: log.entries.length };
  }
  if (same(last, state.head)) {
    return { kind: 'state', state, promote: false, dropNext: next !== undefined, ...cutTorn, entries: log.entries.length };
  }
  // The log holds only the start of the commit under way: it never reached its last entry.
  const afterHead = log.entries[headAt + 1];
  if (validNext?.head && headFound && last && last.seq < validNext.head.seq && afterHead?.prevHash === (state.head?.hash ?? GENESIS_HASH)) {
    return { kind: 'state', state, promote: false, dropNext: true, cutLogTo: headEnd, entries: headAt + 1 };
  }
  return { kind: 'quarantine', state, problem: mismatch(state, last, headFound, next !== undefined) };
}

/** What is wrong when the log's last entry is not the state's head (`headFound`: the log holds the head earlier). */
export function mismatch(state: StateFile, last: AuditEntry | undefined, headFound: boolean, nextFound: boolean): Quarantine {
  const head = state.head;
  const ends = last ? `ends at entry ${last.seq}` : 'is empty';
  if (head && !headFound) {
    return {
      seq: head.seq,
      message: `The audit log ${ends}, but the state's newest entry is ${head.seq} and the log does not hold it: entries were removed from the log, or it was replaced.`,
    };
  }
  const beyond = head ? `after entry ${head.seq}, the state's newest` : 'although the state has none';
  const why = nextFound ? 'that the commit under way does not explain' : 'that no commit under way explains';
  return {
    seq: last?.seq ?? 0,
    message: `The audit log holds entries ${beyond}, ${why}: the state file was replaced by an older copy, or entries were added to the log outside golive.`,
  };
}

export function same(entry: AuditEntry | undefined, other: AuditEntry | undefined): boolean {
  return entry?.hash === other?.hash && entry?.seq === other?.seq;
}

function lastIndexOf(entries: readonly AuditEntry[], wanted: AuditEntry): number {
  for (let at = entries.length - 1; at >= 0; at--) if (same(entries[at], wanted)) return at;
  return -1;
}
