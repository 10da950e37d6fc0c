import type { AuditEntry } from './audit-entry.js';
import { stateHashOf, verifyChain, type AuditKey } from './audit.js';

// A release's record is its state plus the audit chain beside it. The chain alone proves the
// history; the state hash in each entry ties the state the verdict is computed from to that history.

export type RecordProblem = 'edited' | 'removed' | 'reordered' | 'inserted' | 'keyed' | 'time' | 'state' | 'unsealed' | 'unkeyed' | 'empty' | 'refusals';

export type RecordVerdict =
  | {
      ok: true;
      entries: number;
      head: string;
      /** The first entry sealed with the key; every later one is keyed too. */
      keyedFrom?: number;
      /** The first entry that carries a state hash (entries written before golive sealed state have none). */
      sealedFrom?: number;
    }
  | { ok: false; seq: number; problem: RecordProblem; message: string };

export interface VerifyOptions {
  key?: AuditKey;
  /**
   * With a key configured, a chain whose newest entry is not keyed was either written before the
   * key was set or rewritten by someone without it; it is accepted only while the operator adopts the key.
   */
  requireKeyed?: boolean;
}

export function verifyRecord(record: { release: unknown; audit: readonly AuditEntry[] }, options: VerifyOptions = {}): RecordVerdict {
  const { audit } = record;
  if (audit.length === 0) return { ok: false, seq: 0, problem: 'empty', message: 'The release has no audit entries at all, not even the one that created it.' };
  const chain = verifyChain(audit, options.key);
  if (!chain.ok) return { ok: false, seq: chain.seq, problem: chain.problem, message: chain.message };

  const firstSealed = audit.findIndex((entry) => entry.stateHash !== undefined);
  if (firstSealed >= 0) {
    const gap = audit.slice(firstSealed).find((entry) => entry.stateHash === undefined);
    if (gap) return { ok: false, seq: gap.seq, problem: 'unsealed', message: `Entry ${gap.seq} carries no state hash although the entries before it do.` };
    const head = audit[audit.length - 1]!;
    if (head.stateHash !== stateHashOf(record.release)) {
      return {
        ok: false,
        seq: head.seq,
        problem: 'state',
        message: `The stored state of the release does not match entry ${head.seq}, the newest in its record: it was changed outside golive, or entries after ${head.seq} were removed.`,
      };
    }
  }
  const head = audit[audit.length - 1]!;
  if (options.requireKeyed && !head.keyed) {
    return {
      ok: false,
      seq: head.seq,
      problem: 'unkeyed',
      message: `The record is not sealed with GOLIVE_AUDIT_KEY although the key is set: it was written before the key was set (start once with GOLIVE_AUDIT_ADOPT_KEY=1 to seal it under the key from now on), or rewritten by someone without the key.`,
    };
  }
  return {
    ok: true,
    entries: chain.entries,
    head: chain.head,
    ...(chain.keyedFrom !== undefined && { keyedFrom: chain.keyedFrom }),
    ...(firstSealed >= 0 && { sealedFrom: audit[firstSealed]!.seq }),
  };
}
