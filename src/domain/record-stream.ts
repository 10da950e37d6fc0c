import { GENESIS_HASH, type AuditEntry } from './audit-entry.js';
import { entryHash, stateHashOf, type AuditKey } from './audit.js';
import type { RecordVerdict, VerifyOptions } from './record-verify.js';

/**
 * verifyRecord taken one entry at a time, holding none of them, so a long record is checked as it
 * is read. It only tells whether the record passes: every entry meets every condition that
 * verifyChain and verifyRecord check, in which case its verdict is theirs. At the first entry that
 * does not, it stops; naming what is wrong is left to verifyRecord over the whole record (a rare,
 * slower path), so the words and the entry named are always the same as theirs.
 */
export class RecordStream {
  private previous: { seq: number; hash: string; at?: string } = { seq: 0, hash: GENESIS_HASH };
  private last: AuditEntry | undefined;
  private entries = 0;
  private keyedFrom: number | undefined;
  private sealedFrom: number | undefined;
  private failed = false;

  constructor(private readonly options: VerifyOptions = {}) {}

  /** The newest entry added. */
  get head(): AuditEntry | undefined {
    return this.last;
  }

  /** False from the first entry that fails on: verifyRecord must be asked. */
  add(entry: AuditEntry): boolean {
    if (this.failed) return false;
    this.failed = !this.passes(entry);
    if (this.failed) return false;
    if (entry.keyed && this.keyedFrom === undefined) this.keyedFrom = entry.seq;
    if (entry.stateHash !== undefined && this.sealedFrom === undefined) this.sealedFrom = entry.seq;
    this.previous = entry;
    this.last = entry;
    this.entries += 1;
    return true;
  }

  /** verifyRecord's verdict for `release` with the entries added, when it passes; undefined when verifyRecord must name what is wrong. */
  verdict(release: unknown): Extract<RecordVerdict, { ok: true }> | undefined {
    const head = this.last;
    if (this.failed || head === undefined) return undefined;
    if (this.sealedFrom !== undefined && head.stateHash !== stateHashOf(release)) return undefined;
    if (this.options.requireKeyed && !head.keyed) return undefined;
    return {
      ok: true,
      entries: this.entries,
      head: head.hash,
      ...(this.keyedFrom !== undefined && { keyedFrom: this.keyedFrom }),
      ...(this.sealedFrom !== undefined && { sealedFrom: this.sealedFrom }),
    };
  }

  // What verifyChain accepts of an entry, and verifyRecord's rule that state sealing never stops.
  private passes(entry: AuditEntry): boolean {
    const key: AuditKey = this.options.key;
    const previous = this.previous;
    if (entry.keyed && key === undefined) return false;
    if (!entry.keyed && this.keyedFrom !== undefined) return false;
    if (entry.seq !== previous.seq + 1 || entry.prevHash !== previous.hash) return false;
    if (entryHash(entry, key) !== entry.hash) return false;
    if (previous.at !== undefined && Date.parse(entry.at) < Date.parse(previous.at)) return false;
    if (entry.stateHash === undefined && this.sealedFrom !== undefined) return false;
    return true;
  }
}
