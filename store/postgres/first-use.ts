import { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Release } from '../../src/domain/release.js';
import type { Db, Queryable } from './db.js';
import { readRelease } from './release-rows.js';
import { isQuarantine, recheckUnderLock, rowValuesProblem, type AuditRow, type RecordCheck } from './record-check.js';
import { CHECKED_A_TURN, nextTurn } from '../../src/next-turn.js';

// When the PostgreSQL store checks a release's record: at the release's first use in this process
// (asking whether it is quarantined, reading its audit log, writing to it, delivering its
// messages), and by a sweep after open that goes through every release, one at a time. Opening
// does not wait for history: a release of 100,000 entries costs its first user, or the sweep,
// a few seconds, not every start. Which releases this process has checked is kept here; the
// verdict is kept in the release's row, for every replica.
//
// The check reads the record a page at a time and holds no entry (check.streaming). Only when
// that does not pass, or the row is quarantined already, is the record read whole under its row
// lock to name what is wrong (or release it): the same words, the same row, as before.

/**
 * Entries read a statement: about what the JSON store's 64 KiB reads hold. They are checked
 * CHECKED_A_TURN at a time, other work's turn between (pages of two hundred, checked at once, took 15
 * to 30 ms on 2 cores, and /healthz waited for them during a burst of writes).
 */
const PAGE = 64;

export class FirstUseVerification {
  private readonly verified = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly check: RecordCheck,
    private readonly log: (message: string) => void,
  ) {}

  /** A release this process created: its record is the one it just wrote. */
  created(id: string): void {
    this.verified.add(id);
  }

  /** Whether release `id`'s record has been checked by this process: its row's quarantine is then the verdict. */
  checked(id: string): boolean {
    return this.verified.has(id);
  }

  /** Resolves once release `id`'s record has been checked by this process (a failing one is quarantined in its row). */
  ensure(id: string): Promise<void> {
    if (this.verified.has(id)) return Promise.resolve();
    let running = this.running.get(id);
    if (!running) {
      running = this.verifyNow(id).finally(() => this.running.delete(id));
      this.running.set(id, running);
    }
    return running;
  }

  /** Checks every release not yet used, in the background, starting `afterMs` after open; stops at close(). */
  startSweep(afterMs: number): void {
    // Not keeping the process alive: a console that quits before the sweep starts just ends.
    this.timer = setTimeout(() => (this.sweeping = this.sweep()), afterMs).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.sweeping;
    await Promise.allSettled([...this.running.values()]);
  }

  private async verifyNow(id: string): Promise<void> {
    const passes = await streamedPasses(this.db, id, this.check, () => this.closed);
    if (passes === 'gone' || this.closed) return;
    if (!passes) await recheckUnderLock(this.db, id, this.check, this.log);
    this.verified.add(id);
  }

  private async sweep(): Promise<void> {
    try {
      const ids = (await this.db.query<{ id: string }>('SELECT id FROM releases ORDER BY created_order')).rows.map((row) => row.id);
      for (const id of ids) {
        await nextTurn();
        if (this.closed) return;
        // One that cannot be checked now is checked again at the release's first use, which reports it.
        await this.ensure(id).catch((error: unknown) => {
          if (!this.closed) this.log(`release "${id}": its audit record could not be verified after start (${reasonOf(error)}); it is tried again at the release's first use`);
        });
      }
    } catch (error) {
      if (!this.closed) this.log(`the releases could not be listed to verify their records after start (${reasonOf(error)}); each is verified at its first use`);
    }
  }
}

/**
 * Whether release `id`'s record passes, read without a lock a page at a time; false when the
 * whole record must be read under the lock to decide (it may fail, or be quarantined already);
 * 'gone' when there is no such release. Every entry is read, also any past the head the row
 * names, so a log that goes on past its head is not passed.
 */
async function streamedPasses(db: Queryable, id: string, check: RecordCheck, stopped: () => boolean): Promise<boolean | 'gone'> {
  const stream = check.streaming?.();
  if (!stream) return false;
  const row = await readRelease(db, id);
  if (!row) return 'gone';
  if (row.quarantine) return false;
  const values = rowValuesProblem(id, row);
  if (isQuarantine(values)) return false;
  let last: AuditEntry | undefined;
  for (;;) {
    const rows = (await db.query<AuditRow>('SELECT seq, request_id, entry FROM audit WHERE release_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [id, last?.seq ?? 0, PAGE])).rows;
    for (const [at, auditRow] of rows.entries()) {
      if (at > 0 && at % CHECKED_A_TURN === 0) {
        await nextTurn();
        if (stopped()) return false;
      }
      const parsed = AuditEntry.safeParse(auditRow.entry);
      if (!parsed.success || auditRow.seq !== parsed.data.seq || auditRow.request_id !== (parsed.data.request ?? null)) return false;
      if (!stream.add(parsed.data)) return false;
      last = parsed.data;
    }
    if (rows.length < PAGE) break;
    await nextTurn();
    if (stopped()) return false;
  }
  if (row.head_seq !== (last?.seq ?? 0) || row.head_hash !== (last?.hash ?? null)) return false;
  // The state as stored, not as parsed (with defaults filled in): its hash is what the head seals.
  return stream.passes({ release: row.state as Release, ...(values.refusals && { refusals: values.refusals }) });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
