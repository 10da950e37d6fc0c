import { deepFreeze } from '../../src/domain/deep-freeze.js';
import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Channel, Release } from '../../src/domain/release.js';
import { storedMessage, type OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { KeyedQueue } from '../keyed-queue.js';
import { briefly, type Db, type Queryable } from './db.js';
import { applyMigrations } from './migrate.js';
import { assertContinues, assertSealed, validEntries, validOutbox, validRefusals, validRelease } from './commit-check.js';
import { appendEntries, followChannels, insertRelease, lockRelease, readRelease, readReleases, setQuarantine, updateRelease, upsertOutbox, type ReleaseRow, type RowChange } from './release-rows.js';
import { defaultRecordCheck, lockedRowProblem, type RecordCheck } from './record-check.js';
import { FirstUseVerification } from './first-use.js';
import { SharedCopies } from './shared-copies.js';
import { ScopedContext } from './scoped-context.js';
import type { RefusalTally } from '../../src/app/refusal-tally.js';
import {
  StoreError,
  type ClaimedMessage,
  type ClaimRequest,
  type Commit,
  type Quarantine,
  type ReleaseHead,
  type ReleaseSummary,
  type SharedRelease,
  type Store,
  type StoredRelease,
} from '../../src/app/store-port.js';
import { checkClaim, checkEndClaims, checkLease } from '../claim-args.js';
import { claimRows, endClaimRows, releasesWithDue, takeLease } from './claim-rows.js';

// The Store on PostgreSQL. Nothing is cached: every read goes to the database, so a replica sees
// what another wrote the moment it committed. On a server a write locks its release's row (SELECT
// … FOR UPDATE), so writes to one release are serialised across every replica on the database, and
// runs the caller's function on what it read under that lock. In this process, writes to one
// release also queue before taking a connection, so a burst on one release holds one connection,
// not all. On PGlite (one connection, one process) the Db's in-process lock takes the row lock's
// place while the function runs, and only the write itself is a transaction.

export interface PostgresStoreOptions {
  /** Told about migrations applied, and releases quarantined (or released) when their records are checked. */
  log?: (message: string) => void;
  /**
   * Checks each release's record, at its first use in this process or by the sweep (first-use.ts);
   * a failing one is quarantined. Default: verifyRecord under `auditKey`.
   */
  verify?: RecordCheck;
  /**
   * Check every release's record in the background, starting this many milliseconds after open
   * (default 2,000: after start-up's own work); false, each only at its first use.
   */
  sweepAfterMs?: number | false;
  /** GOLIVE_AUDIT_KEY, for the default check. */
  auditKey?: string;
  /** Close the Db when the store closes (default true: the store owns it). */
  closeDb?: boolean;
}

const SWEEP_AFTER_MS = 2_000;

/**
 * Brings the schema up to date (or refuses a database newer than this code) and opens the store.
 * Each release's record is verified at its first use, and by a sweep after open (first-use.ts).
 * Rejects with a StoreError naming the database when it cannot be reached or migrated.
 */
export async function openPostgresStore(db: Db, options: PostgresStoreOptions = {}): Promise<Store> {
  const { log = () => undefined, verify = defaultRecordCheck(options.auditKey), closeDb = true, sweepAfterMs = SWEEP_AFTER_MS } = options;
  try {
    await applyMigrations(db, { log });
  } catch (error) {
    if (closeDb) await db.close().catch(() => undefined);
    throw error instanceof StoreError ? error : new StoreError(`${db.label}: cannot open the store: ${reasonOf(error)}`);
  }
  const verification = new FirstUseVerification(db, verify, log);
  if (sweepAfterMs !== false) verification.startSweep(sweepAfterMs);
  return new PostgresStore(db, log, closeDb, verification);
}

const MAX_SEQ = 2_147_483_647;

class PostgresStore implements Store {
  private readonly writes = new KeyedQueue();
  private readonly insideFn = new ScopedContext<{ open: boolean }>();
  private readonly copies = new SharedCopies(storedOf);
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly log: (message: string) => void,
    private readonly closeDb: boolean,
    private readonly verification: FirstUseVerification,
  ) {}

  list(): Promise<ReleaseSummary[]> {
    return this.read('list the releases', async () => {
      const rows = (
        await this.db.query<{ id: string; name: string; channels: Channel[] | null }>(`SELECT id, state->>'name' AS name, state->'channels' AS channels FROM releases ORDER BY created_order`)
      ).rows;
      return rows.map((row) => ({ id: row.id, name: row.name, channels: (row.channels ?? []).map((channel) => ({ platform: channel.platform, id: channel.id })) }));
    });
  }

  get(id: string): Promise<StoredRelease | undefined> {
    return this.read(`read release "${id}"`, async () => {
      const row = await readRelease(this.db, id);
      return row && storedOf(row);
    });
  }

  shared(id: string): Promise<SharedRelease | undefined> {
    return this.read(`read release "${id}"`, async () => {
      // The quarantine it comes with is the verdict of this process's check, as quarantine() gives it.
      await this.verification.ensure(id);
      return this.copies.read(this.db, id);
    });
  }

  getMany(ids: readonly string[]): Promise<Array<StoredRelease | undefined>> {
    return this.read(`read ${ids.length} releases`, async () => {
      const rows = await readReleases(this.db, ids);
      return ids.map((id) => {
        const row = rows.get(id);
        return row && storedOf(row);
      });
    });
  }

  async sharedMany(ids: readonly string[]): Promise<Array<StoredRelease | undefined>> {
    // Rows are parsed into objects of their own; frozen, they keep the port's promise that nobody changes them.
    return (await this.getMany(ids)).map((stored) => stored && deepFreeze(stored));
  }

  sharedByChannel(channel: Channel): Promise<{ id: string; shared: SharedRelease } | undefined> {
    return this.read('find a channel', async () => {
      const found = await this.copies.readByChannel(this.db, channel);
      if (!found || this.verification.checked(found.id)) return found;
      // Its quarantine is this process's verdict only once its record was checked: checked now, then read again.
      await this.verification.ensure(found.id);
      const shared = await this.copies.read(this.db, found.id);
      return shared && { id: found.id, shared };
    });
  }

  heads(): Promise<ReadonlyMap<string, ReleaseHead>> {
    return this.read("read the releases' heads", async () => {
      const rows = (await this.db.query<{ id: string; head_seq: number; quarantined: boolean }>('SELECT id, head_seq, quarantine IS NOT NULL AS quarantined FROM releases')).rows;
      // A verdict on a record this process has not checked yet is not known: quarantine() checks it.
      return new Map(rows.map((row) => [row.id, { seq: row.head_seq, ...(this.verification.checked(row.id) && { quarantined: row.quarantined }) }]));
    });
  }

  quarantine(id: string): Promise<Quarantine | undefined> {
    return this.read(`read release "${id}"`, async () => {
      // The verdict on a record nobody has checked since this process started is not known yet.
      await this.verification.ensure(id);
      // Brief: every request waiting for the same check asks this the moment it ends; on the pool
      // each would take a connection of its own, opened then (measured: six at once in a burst).
      const row = (await briefly(this.db)<{ quarantine: Quarantine | null }>('SELECT quarantine FROM releases WHERE id = $1', [id])).rows[0];
      return row?.quarantine ?? undefined;
    });
  }

  findByChannel(channel: Channel): Promise<string | undefined> {
    return this.read('find a channel', async () => {
      const row = (await briefly(this.db)<{ release_id: string }>('SELECT release_id FROM release_channels WHERE platform = $1 AND channel_id = $2', [channel.platform, channel.id])).rows[0];
      return row?.release_id;
    });
  }

  audit(id: string, range: { fromSeq?: number; toSeq?: number } = {}): Promise<AuditEntry[]> {
    return this.read(`read the audit log of release "${id}"`, async () => {
      await this.verification.ensure(id);
      const from = bound(range.fromSeq, 1, Math.ceil);
      const to = bound(range.toSeq, MAX_SEQ, Math.floor);
      const rows = (await this.db.query<{ entry: AuditEntry }>('SELECT entry FROM audit WHERE release_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq', [id, from, to])).rows;
      return rows.map((row) => row.entry);
    });
  }

  auditByRequest(id: string, requestId: string): Promise<AuditEntry | undefined> {
    return this.read(`read the audit log of release "${id}"`, async () => {
      const row = (await briefly(this.db)<{ entry: AuditEntry }>('SELECT entry FROM audit WHERE release_id = $1 AND request_id = $2 ORDER BY seq LIMIT 1', [id, requestId])).rows[0];
      return row?.entry;
    });
  }

  outbox(id: string): Promise<OutboxMessage[]> {
    return this.read(`read the outbox of release "${id}"`, async () => {
      const rows = (await this.db.query<{ message: unknown }>('SELECT message FROM outbox WHERE release_id = $1 ORDER BY position', [id])).rows;
      return rows.map((row) => storedMessage(row.message));
    });
  }

  claimDue(now: Date, limit: number, claim: ClaimRequest): Promise<ClaimedMessage[]> {
    return this.read('claim due outbox messages', async () => {
      const { holder, leaseMs, platforms } = checkClaim(now, limit, claim);
      if (platforms.size === 0) return [];
      // A quarantined release's messages are never delivered: before any is, its record is checked.
      for (const id of await releasesWithDue(this.db, now)) await this.verification.ensure(id);
      return claimRows(this.db, now, limit, holder, leaseMs, platforms);
    });
  }

  lease(name: string, holder: string, now: Date, ms: number): Promise<boolean> {
    return this.read(`take the lease "${name}"`, async () => {
      checkLease(name, holder, now, ms);
      return takeLease(this.db, name, holder, now, ms);
    });
  }

  async create(release: Release, first: AuditEntry, outbox: OutboxMessage[]): Promise<void> {
    this.assertOpen();
    this.assertNotInsideFn(typeof (release as { id?: unknown } | undefined)?.id === 'string' ? release.id : '(new)');
    const named = (release as { id?: unknown } | null | undefined)?.id;
    const state = validRelease(release, `the new release${typeof named === 'string' ? ` "${named}"` : ''}`);
    const [entry] = validEntries([first], state.id);
    assertContinues(state.id, undefined, [entry!]);
    assertSealed(state.id, entry, state);
    const messages = validOutbox(outbox, state.id);
    await this.writes.run(state.id, () =>
      this.write(state.id, async (tx) => {
        if (!(await insertRelease(tx, state, entry!))) throw new StoreError(`a release with id "${state.id}" already exists`);
        await followChannels(tx, state.id, state.channels);
        await appendEntries(tx, state.id, [entry!]);
        await upsertOutbox(tx, state.id, messages);
      }),
    );
    this.verification.created(state.id);
  }

  async transact<T>(id: string, fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>): Promise<T> {
    this.assertOpen();
    this.assertNotInsideFn(id);
    // A write waits for the record to be checked: a release found tampered takes none.
    await this.read(`verify the record of release "${id}"`, () => this.verification.ensure(id));
    this.assertOpen();
    const exclusive = this.db.exclusive;
    return this.writes.run(id, () => (exclusive ? exclusive(`release ${id}`, () => this.writeAfterFn(id, fn)) : this.writeUnderLock(id, fn)));
  }

  /** On a server: the row stays locked while fn runs, so a replica writing the release waits. */
  private async writeUnderLock<T>(id: string, fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>): Promise<T> {
    let failedInFn: { error: unknown } | undefined;
    let tampered: Quarantine | undefined;
    const result = await this.write(
      id,
      async (tx) => {
        const row = await lockRelease(tx, id);
        tampered = admit(id, row);
        if (tampered) {
          await setQuarantine(tx, id, tampered);
          return undefined;
        }
        const commit = await this.runFn(fn, row!, (error) => (failedInFn = { error }));
        await commitChanges(tx, id, row!, commit);
        return { value: commit.result };
      },
      (error) => failedInFn?.error === error,
    );
    if (tampered) throw this.quarantined(id, tampered);
    return result!.value;
  }

  /**
   * On one connection in this process (PGlite): a transaction held while fn runs would stop every
   * other query, so fn runs on a plain read, under the Db's in-process lock on the release, and
   * only the write is a transaction.
   */
  private async writeAfterFn<T>(id: string, fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>): Promise<T> {
    const row = await this.read(`read release "${id}"`, () => readRelease(this.db, id));
    const tampered = admit(id, row);
    if (tampered) {
      await this.write(id, (tx) => setQuarantine(tx, id, tampered));
      throw this.quarantined(id, tampered);
    }
    const commit = await this.runFn(fn, row!, () => undefined);
    await this.write(id, async (tx) => {
      const locked = await lockRelease(tx, id);
      // Only a write made past this store (by hand) can change it under the in-process lock.
      if (!locked || locked.quarantine || locked.head_seq !== row!.head_seq || locked.head_hash !== row!.head_hash) {
        throw new StoreError(`release "${id}" was changed by something other than this golive while it was being written; nothing was written`);
      }
      await commitChanges(tx, id, row!, commit);
    });
    return commit.result;
  }

  /** Runs the caller's function on its own copy; a write it tries to start is refused, not left waiting for this one. */
  private async runFn<T>(fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>, row: ReleaseRow, failed: (error: unknown) => void): Promise<Commit<T>> {
    try {
      return await this.insideFn.run({ open: true }, () => fn(storedOf(row)));
    } catch (error) {
      failed(error);
      throw error;
    }
  }

  private assertNotInsideFn(id: string): void {
    if (this.insideFn.current()) throw new StoreError(`a write to release "${id}" cannot start inside another transaction's function (the Store port does not allow it)`);
  }

  private quarantined(id: string, quarantine: Quarantine): StoreError {
    this.log(`release "${id}": quarantined, its record fails verification at entry ${quarantine.seq}: ${quarantine.message}`);
    return readOnly(id, quarantine);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.verification.close();
    await this.writes.idle();
    if (this.closeDb) await this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('the store is closed');
  }

  private async read<T>(what: string, run: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await run();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`${this.db.label}: cannot ${what}: ${reasonOf(error)}`);
    }
  }

  /** One transaction; a database failure becomes a StoreError, the caller's own error passes as it is. */
  private async write<T>(id: string, run: (tx: Queryable) => Promise<T>, isCallers: (error: unknown) => boolean = () => false): Promise<T> {
    try {
      return await this.db.transaction(run);
    } catch (error) {
      if (isCallers(error) || error instanceof StoreError) throw error;
      throw new StoreError(`${this.db.label}: the write to release "${id}" failed, and was rolled back if it had begun: ${reasonOf(error)}`);
    }
  }
}

/** Checks what `fn` returned against the row it ran on, then writes it: all of it or, by throwing, nothing. */
async function commitChanges<T>(tx: Queryable, id: string, row: ReleaseRow, commit: Commit<T>): Promise<void> {
  const state = commit.release === undefined ? undefined : validRelease(commit.release, `release "${id}"`);
  if (state && state.id !== id) throw new StoreError(`release "${id}" cannot change its id to "${state.id}"`);
  const entries = validEntries(commit.append ?? [], id);
  const head = row.head as AuditEntry | null;
  assertContinues(id, head ?? undefined, entries);
  const newHead = entries.at(-1);
  if (state || newHead) assertSealed(id, newHead ?? head ?? undefined, state ?? (row.state as Release));
  const messages = validOutbox(commit.outbox ?? [], id);
  const refusals: RefusalTally | null | undefined = commit.refusals == null ? commit.refusals : validRefusals(commit.refusals, id);
  const ends = checkEndClaims(commit.endClaims, id);

  if (state && channelsChanged(row.state as Release, state)) await followChannels(tx, id, state.channels);
  await appendEntries(tx, id, entries);
  await upsertOutbox(tx, id, messages);
  if (ends) await endClaimRows(tx, id, ends);
  const change: RowChange = { ...(state && { release: state }), ...(newHead && { head: newHead }), ...(refusals !== undefined && { refusals }) };
  await updateRelease(tx, id, change);
}

function channelsChanged(before: Release, after: Release): boolean {
  const keys = (release: Release) => (release.channels ?? []).map((channel) => `${channel.platform}:${channel.id}`).join('\n');
  return keys(before) !== keys(after);
}

function storedOf(row: ReleaseRow): StoredRelease {
  return {
    release: row.state as Release,
    ...(row.head != null && { head: row.head as AuditEntry }),
    ...(row.refusals != null && { refusals: row.refusals as RefusalTally }),
  };
}

/** Whether a transaction may run on the row it read: throws for none or a quarantined one; a problem found now is returned, to be recorded. */
function admit(id: string, row: ReleaseRow | undefined): Quarantine | undefined {
  if (!row) throw new StoreError(`there is no release with id "${id}"`);
  // A record that failed verification is evidence: nothing is ever written over it.
  if (row.quarantine) throw readOnly(id, row.quarantine);
  return lockedRowProblem(row);
}

function readOnly(id: string, quarantine: Quarantine): StoreError {
  return new StoreError(`release "${id}" is read-only: its record fails verification at entry ${quarantine.seq}`);
}

function bound(value: number | undefined, otherwise: number, round: (value: number) => number): number {
  if (value === undefined) return otherwise;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new StoreError('an audit range bound must be a number');
  return Math.min(MAX_SEQ, Math.max(0, round(value)));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
