import { sealEntry, stateHashOf, type AuditKey } from '../../domain/audit.js';
import type { AuditEntry, UnsealedAuditEntry } from '../../domain/audit-entry.js';
import type { Release } from '../../domain/release.js';
import type { RefusalTally } from '../refusal-tally.js';
import type { Commit, StoredRelease } from '../store-port.js';

/** A refused attempt keeps this much of what was typed: enough to see what was tried, not a way to grow the file. */
export const REFUSED_COMMAND_MAX = 300;
/** Refusals of one person within this window of their last one are counted, not stored again. */
export const REFUSAL_WINDOW_MS = 60_000;

export interface RefusedAttempt {
  at: string;
  request?: string;
  actor: { id: string; platform: UnsealedAuditEntry['actor']['platform'] };
  command: string;
  reason: string;
}

/**
 * What one transaction adds to a release's record, built from the state it runs on: entries are
 * sealed one after another from the chain's head, each over `release` as it is when sealed, and
 * repeated refusals are counted beside the chain. `commit()` is what the store is asked to save.
 */
export class RecordDraft {
  private head: AuditEntry | undefined;
  private refusals: RefusalTally | undefined;
  private refusalsChanged = false;
  private releaseChanged = false;
  private readonly entries: AuditEntry[] = [];
  private state: Release;

  constructor(
    current: StoredRelease,
    private readonly key?: AuditKey,
  ) {
    this.head = current.head;
    this.refusals = current.refusals;
    this.state = current.release;
  }

  get release(): Release {
    return this.state;
  }

  /** The new state: entries sealed from now on seal this one. */
  set release(release: Release) {
    this.state = release;
    this.releaseChanged = true;
  }

  /** Seals `entry` after the newest entry, over the state as it is now (under the draft's key unless told otherwise). */
  seal(entry: Omit<UnsealedAuditEntry, 'stateHash'>, key: AuditKey = this.key): AuditEntry {
    const sealed = sealEntry(this.head ? [this.head] : [], { ...entry, stateHash: stateHashOf(this.state) }, key);
    this.entries.push(sealed);
    this.head = sealed;
    return sealed;
  }

  /**
   * A refusal gets its own entry, unless the same person's refusal is the newest entry and came
   * within the window: then it is only counted (durably, beside the chain) and sealed as one entry
   * "refused N more times" with the next write, so a flood of refused attempts cannot grow the record.
   */
  refuse(attempt: RefusedAttempt): void {
    const head = this.head;
    const sameActor = (a: { id: string; platform: string }) => a.id === attempt.actor.id && a.platform === attempt.actor.platform;
    // Measured from the entry, not the latest repeat, so a steady flood still seals one entry a minute.
    const repeat = head?.outcome === 'refused' && sameActor(head.actor) && Date.parse(attempt.at) - Date.parse(head.at) <= REFUSAL_WINDOW_MS;
    if (repeat) {
      this.refusals = this.refusals
        ? { ...this.refusals, last: attempt.at, count: this.refusals.count + 1 }
        : { actor: attempt.actor, command: attempt.command, reason: attempt.reason, first: attempt.at, last: attempt.at, count: 1 };
      this.refusalsChanged = true;
      return;
    }
    this.flushRefusals();
    this.seal({ at: attempt.at, actor: attempt.actor, command: attempt.command, ...(attempt.request !== undefined && { request: attempt.request }), outcome: 'refused', reason: attempt.reason });
  }

  /**
   * Seals the counted repeats as their one entry before anything else is written after them.
   * Unkeyed when `key` says so: repeats counted before a key was adopted belong to the record as it was.
   */
  flushRefusals(key: AuditKey = this.key): void {
    const tally = this.refusals;
    if (!tally) return;
    this.refusals = undefined;
    this.refusalsChanged = true;
    const since = tally.first === tally.last ? '' : ` between ${tally.first} and ${tally.last}`;
    this.seal(
      {
        at: tally.last,
        actor: tally.actor,
        command: tally.command,
        outcome: 'refused',
        reason: `Refused again ${tally.count === 1 ? 'once' : `${tally.count} times`}${since}: ${tally.reason}`.slice(0, 2000),
        ...(tally.count > 1 && { count: tally.count }),
      },
      key,
    );
  }

  /** What to commit: the new state if it was set, the entries sealed, the tally if it changed. */
  commit(): Omit<Commit<never>, 'result' | 'outbox'> {
    return {
      ...(this.releaseChanged && { release: this.state }),
      ...(this.entries.length > 0 && { append: [...this.entries] }),
      ...(this.refusalsChanged && { refusals: this.refusals ?? null }),
    };
  }
}

/** The time of the newest thing recorded on a release: its head entry, or repeated refusals not yet sealed after it. */
export function newestRecord(stored: Pick<StoredRelease, 'head' | 'refusals'>): string | undefined {
  const head = stored.head?.at;
  const counted = stored.refusals?.last;
  if (head === undefined || counted === undefined) return head ?? counted;
  return Date.parse(counted) > Date.parse(head) ? counted : head;
}
