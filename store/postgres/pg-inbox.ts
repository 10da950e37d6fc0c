import { newHolder } from '../../src/app/delivery/claimant.js';
import { systemClock, type Clock } from '../../src/app/clock.js';
import { assertTime, INBOX_LEASE_MS, MAX_HANDLING_MS, keptReceived, outcomeLineOf, Received, type Inbox, type Keeping } from '../../src/app/inbox.js';
import { StoreError } from '../../src/app/store-port.js';
import type { Platform } from '../../src/domain/primitives.js';
import type { Db, Queryable } from './db.js';
import { applyMigrations, type SchemaOptions } from './migrate.js';

// The inbox in PostgreSQL, shared by every replica on the database (table `inbox`, 002_inbox.sql).
// A request's row is inserted before the platform is acknowledged, keyed by the platform's own id,
// so a retry that a load balancer sends to another replica finds it and is not handled twice. The
// receiving replica holds a lease on it while it handles it; a row whose lease ended without being
// done was abandoned, and the first replica to ask claims it (FOR UPDATE SKIP LOCKED, a new lease),
// so exactly one handles it again. Leases compare the replicas' clocks: keep them in sync (NTP).
// As in the file inbox, a receipt of a request that only reads and a done mark need not wait for
// the disk: on a server they are committed unsynced (Db.unsynced), the rest durably.

/** Done rows are kept this long (for a late retry and for inspection), then deleted by the periodic passes. */
export const KEEP_DONE_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * How long a done mark waits for others to share its statement: each mark on its own was an UPDATE
 * and a commit, a third of a status's statements. A mark is what the file inbox writes without an
 * fsync: one lost to a crash in this window only has the request handled again after the restart
 * (a change finds itself recorded and is not made twice; a status is answered again).
 */
const DONE_WINDOW_MS = 10;
/** Abandoned requests claimed at once: a batch is handled well within one lease. */
const BATCH = 50;
/** Done rows deleted by one pass at most, so a pass stays short however many there are. */
const PRUNE = 1000;
/**
 * "Not done yet" where a statement finds its rows by id. The same as `done_at IS NULL` (a CHECK
 * makes the two NULL together), but that condition lets the planner scan inbox_waiting instead,
 * every row not done and every one done since the last VACUUM: the statements are prepared, and a
 * plan made while the table was new did so, a cost that grew with every request received.
 */
const NOT_DONE = 'outcome IS NULL';

export interface PgInboxOptions extends SchemaOptions {
  /** Stamps leases and done rows. */
  clock?: Clock;
  /** How long a replica's claim on a request lasts (default INBOX_LEASE_MS, 30 s). */
  leaseMs?: number;
  /** How long done rows are kept (default KEEP_DONE_MS, 7 days). */
  keepDoneMs?: number;
  /** Names this replica in the rows it holds (default: host, process id and a random part). */
  holder?: string;
  /** Told about migrations applied at open. */
  log?: (message: string) => void;
  /** Close the Db when the inbox closes (default false: the store that shares it closes it). */
  closeDb?: boolean;
}

/** This process, as a holder of inbox rows: the same name it claims outbox messages and leases under. */
export const holderName = newHolder;

/**
 * Brings the schema up to date (as the store does) and checks every row not done: one that is not
 * a request golive wrote stops here with a StoreError naming it, and nothing is changed.
 */
export async function openPgInbox(db: Db, options: PgInboxOptions = {}): Promise<Inbox> {
  const inbox = new PgInbox(db, options);
  try {
    if (!options.schemaChecked) await applyMigrations(db, { ...(options.log && { log: options.log }) });
    const rows = (await db.query<Row>('SELECT id, platform, entry FROM inbox WHERE done_at IS NULL ORDER BY position')).rows;
    for (const row of rows) entryOf(row, db.label, 'golive will not start until it is repaired or deleted');
  } catch (error) {
    if (options.closeDb) await db.close().catch(() => undefined);
    throw error instanceof StoreError ? error : new StoreError(`${db.label}: cannot open the inbox: ${reasonOf(error)}`);
  }
  return inbox;
}

interface Receipt {
  record: Received;
  resolve: (fresh: boolean) => void;
  reject: (error: Error) => void;
}

interface Row {
  id: string;
  platform: string;
  entry: unknown;
}

class PgInbox implements Inbox {
  readonly shared = true;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly keepDoneMs: number;
  private readonly holder: string;
  private readonly closeDb: boolean;
  private closed = false;
  /** Requests this process received or took over and has not marked done, with when it took each. */
  private readonly handling = new Map<string, number>();
  /** Receipts waiting for a statement, and the statements on their way, of each kind. */
  private readonly receipts: Record<Keeping, Receipt[]> = { durable: [], written: [] };
  private readonly inserting: Record<Keeping, Promise<void> | undefined> = { durable: undefined, written: undefined };
  /** Done marks waiting for their shared statement (DONE_WINDOW_MS), and that statement. */
  private marks: Array<{ id: string; at: string; outcome: string; resolve: () => void; reject: (error: Error) => void }> | undefined;
  private marking: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    options: PgInboxOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.leaseMs = options.leaseMs ?? INBOX_LEASE_MS;
    this.keepDoneMs = options.keepDoneMs ?? KEEP_DONE_MS;
    this.holder = options.holder ?? holderName();
    this.closeDb = options.closeDb ?? false;
  }

  /**
   * A receipt is written at once when no other of its kind (durable, or only written) is on its
   * way; those asked for meanwhile (a burst of requests) wait for it and then go together, in one
   * statement. Each resolves, or fails, with its statement.
   */
  receive(entry: Received, keeping: Keeping = 'durable'): Promise<boolean> {
    let record: Received;
    try {
      this.assertOpen();
      record = keptReceived(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.receipts[keeping].push({ record, resolve, reject });
      if (!this.inserting[keeping]) this.inserting[keeping] = this.insertWaiting(keeping);
    });
  }

  /** Writes the receipts waiting, and then those that came meanwhile, until none waits. */
  private async insertWaiting(keeping: Keeping): Promise<void> {
    while (this.receipts[keeping].length > 0) {
      const batch = this.receipts[keeping];
      this.receipts[keeping] = [];
      // insert() settles each receipt itself; this is for a failure before its statement.
      await this.insert(batch, keeping).catch((error: unknown) => {
        for (const receipt of batch) receipt.reject(new StoreError(`${this.db.label}: could not save request "${receipt.record.id}" in the inbox (${reasonOf(error)})`));
      });
    }
    this.inserting[keeping] = undefined;
  }

  private async insert(receipts: Receipt[], keeping: Keeping): Promise<void> {
    if (receipts.length === 0) return;
    const until = new Date(this.clock.now().getTime() + this.leaseMs).toISOString();
    // A request twice in one batch (a retry racing its first delivery) is inserted once: the first.
    const firsts = new Map<string, Receipt>();
    for (const receipt of receipts) if (!firsts.has(receipt.record.id)) firsts.set(receipt.record.id, receipt);
    const once = [...firsts.values()];
    let inserted: Set<string>;
    try {
      // A retry racing the first delivery waits on the key and then inserts nothing.
      const { sql, params } = insertOf(
        once.map((r) => r.record),
        this.holder,
        until,
      );
      const rows = await this.write(keeping)<{ id: string }>(sql, params);
      inserted = new Set(rows.rows.map((row) => row.id));
    } catch (error) {
      for (const receipt of receipts) receipt.reject(new StoreError(`${this.db.label}: could not save request "${receipt.record.id}" in the inbox (${reasonOf(error)})`));
      return;
    }
    const at = this.clock.now().getTime();
    for (const receipt of receipts) {
      const fresh = firsts.get(receipt.record.id) === receipt && inserted.has(receipt.record.id);
      if (fresh) this.handling.set(receipt.record.id, at);
      receipt.resolve(fresh);
    }
  }

  /**
   * Marks asked for within DONE_WINDOW_MS of each other (the answers of a burst) are written in one
   * statement; each resolves, or fails, with it.
   */
  done(id: string, outcome: string): Promise<void> {
    this.assertOpen();
    this.handling.delete(id);
    const mark = { id, at: this.clock.now().toISOString(), outcome: outcomeLineOf(outcome) };
    return new Promise((resolve, reject) => {
      if (!this.marks) {
        this.marks = [];
        this.marking = new Promise<void>((flushed) => setTimeout(() => void this.markDone().finally(flushed), DONE_WINDOW_MS));
      }
      this.marks.push({ ...mark, resolve, reject });
    });
  }

  private async markDone(): Promise<void> {
    const marks = this.marks ?? [];
    this.marks = undefined;
    // A request already done keeps its first outcome, also within one batch.
    const firsts = new Map<string, (typeof marks)[number]>();
    for (const m of marks) if (!firsts.has(m.id)) firsts.set(m.id, m);
    const once = [...firsts.values()];
    try {
      const { sql, params } = doneOf(once, this.holder);
      await this.write('written')(sql, params);
      for (const m of marks) m.resolve();
    } catch (error) {
      for (const m of marks) m.reject(new StoreError(`${this.db.label}: could not mark request "${m.id}" done in the inbox (${reasonOf(error)})`));
    }
  }

  /**
   * How a write is committed: `durable` waits for the server's disk; `written` (a receipt that
   * only reads, a done mark, a lease renewed: what the file inbox writes without an fsync) does
   * not, where the database offers that.
   */
  private write(keeping: Keeping): Db['query'] {
    return keeping === 'written' && this.db.unsynced ? this.db.unsynced.bind(this.db) : this.db.query.bind(this.db);
  }

  async abandoned(now: Date, platforms: readonly Platform[]): Promise<Received[]> {
    assertTime(now);
    this.assertOpen();
    if (platforms.length === 0) return [];
    try {
      return await this.db.transaction(async (tx) => {
        await prune(tx, new Date(now.getTime() - this.keepDoneMs));
        // Rows another replica is claiming right now are skipped, not waited for: it handles them.
        const rows = (
          await tx.query<Row>(
            `SELECT id, platform, entry FROM inbox WHERE done_at IS NULL AND lease_until <= $1 AND platform = ANY($2::text[])
              ORDER BY position LIMIT $3 FOR UPDATE SKIP LOCKED`,
            [now.toISOString(), [...platforms], BATCH],
          )
        ).rows;
        // A bad row stops the claim before anything is written: the transaction is rolled back.
        const entries = rows.map((row) => entryOf(row, this.db.label, 'nothing was claimed, and no abandoned request is handled until it is repaired or deleted'));
        if (entries.length > 0) {
          await tx.query('UPDATE inbox SET holder = $2, lease_until = $3 WHERE id = ANY($1::text[])', [
            entries.map((entry) => entry.id),
            this.holder,
            new Date(now.getTime() + this.leaseMs).toISOString(),
          ]);
        }
        for (const entry of entries) this.handling.set(entry.id, now.getTime());
        return entries;
      });
    } catch (error) {
      throw error instanceof StoreError ? error : new StoreError(`${this.db.label}: could not look for abandoned requests in the inbox (${reasonOf(error)})`);
    }
  }

  async renew(now: Date): Promise<number> {
    assertTime(now);
    this.assertOpen();
    const ids: string[] = [];
    for (const [id, since] of this.handling) {
      // Past this, something is wrong with its handler here: let another replica try it.
      if (now.getTime() - since > MAX_HANDLING_MS) this.handling.delete(id);
      else ids.push(id);
    }
    if (ids.length === 0) return 0;
    try {
      // Only rows still this process's: one another replica took over is its own now.
      const renewed = await this.write('written')(`UPDATE inbox SET lease_until = $3 WHERE id = ANY($1::text[]) AND holder = $2 AND ${NOT_DONE}`, [
        ids,
        this.holder,
        new Date(now.getTime() + this.leaseMs).toISOString(),
      ]);
      return renewed.rowCount;
    } catch (error) {
      throw new StoreError(`${this.db.label}: could not renew the claim on requests still being handled (${reasonOf(error)})`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Receipts and marks asked for before close are written before the connection goes.
    await Promise.all([this.inserting.durable, this.inserting.written]);
    await this.marking;
    if (this.closeDb) await this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`${this.db.label}: the inbox is closed`);
  }
}

async function prune(tx: Queryable, before: Date): Promise<void> {
  await tx.query('DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE done_at < $1 ORDER BY done_at LIMIT $2)', [before.toISOString(), PRUNE]);
}

/** The request a row holds; a StoreError naming the row when it is not one golive wrote. */
function entryOf(row: Row, label: string, advice: string): Received {
  const where = `${label}: inbox row ${JSON.stringify(String(row.id).slice(0, 200))}`;
  const parsed = Received.safeParse(row.entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new StoreError(`${where} is not a received request (${path}${issue?.message ?? 'invalid'}); ${advice}`);
  }
  if (parsed.data.id !== row.id || parsed.data.platform !== row.platform) {
    throw new StoreError(`${where} (platform ${row.platform}) holds request "${parsed.data.id}" from ${parsed.data.platform}; ${advice}`);
  }
  return parsed.data;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// One row, the usual case, is a plain VALUES statement: the arrays of a batch cost golive their
// escaping (an entry's JSON is quoted again inside an array literal) and the server its parsing.

/** The statement that inserts `records` in order, those already there left alone; it returns the ids it inserted. */
function insertOf(records: Received[], holder: string, until: string): { sql: string; params: unknown[] } {
  if (records.length === 1) {
    const [record] = records as [Received];
    return {
      sql: `INSERT INTO inbox (id, platform, entry, received_at, holder, lease_until) VALUES ($1, $2, $3::jsonb, $4, $5, $6)
        ON CONFLICT (id) DO NOTHING RETURNING id`,
      params: [record.id, record.platform, JSON.stringify(record), record.at, holder, until],
    };
  }
  return {
    sql: `INSERT INTO inbox (id, platform, entry, received_at, holder, lease_until)
      SELECT d.id, d.platform, d.entry::jsonb, d.at, $5, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS d(id, platform, entry, at, n)
      ORDER BY d.n ON CONFLICT (id) DO NOTHING RETURNING id`,
    params: [records.map((r) => r.id), records.map((r) => r.platform), records.map((r) => JSON.stringify(r)), records.map((r) => r.at), holder, until],
  };
}

/** The statement that marks requests done, each keeping the outcome it was first marked with. */
function doneOf(marks: Array<{ id: string; at: string; outcome: string }>, holder: string): { sql: string; params: unknown[] } {
  if (marks.length === 1) {
    const [mark] = marks as [(typeof marks)[number]];
    return {
      sql: `UPDATE inbox SET done_at = $2, outcome = $3, lease_until = NULL, holder = $4 WHERE id = $1 AND ${NOT_DONE}`,
      params: [mark.id, mark.at, mark.outcome, holder],
    };
  }
  return {
    sql: `UPDATE inbox AS i SET done_at = d.at, outcome = d.outcome, lease_until = NULL, holder = $4
      FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS d(id, at, outcome) WHERE i.id = ANY($1::text[]) AND i.id = d.id AND i.${NOT_DONE}`,
    params: [marks.map((m) => m.id), marks.map((m) => m.at), marks.map((m) => m.outcome), holder],
  };
}
