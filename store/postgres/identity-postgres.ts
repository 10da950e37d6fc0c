import { randomInt } from 'node:crypto';
import type { IdentityPort, IdentityReading } from '../../src/app/identity-port.js';
import type { Actor } from '../../src/app/request.js';
import { StoreError } from '../../src/app/store-port.js';
import { canonicalJson, type AuditKey } from '../../src/domain/audit.js';
import { AuditEntry } from '../../src/domain/audit-entry.js';
import { identityProblem, IdentityRecord, outcomeOf, type Step } from '../identity-record.js';
import { briefly, type Db, type Queryable } from './db.js';
import { applyMigrations, type SchemaOptions } from './migrate.js';
import { problems } from './commit-check.js';
import { JoinedReads } from './joined-reads.js';

// The identity record in the identity_audit table: one row per entry, appended, never changed (a
// trigger refuses UPDATE, DELETE and TRUNCATE). Read whole and verified at open, like the file: a
// record that fails is left as it is, its links ignored and linking refused.
//
// Each golive keeps the record in memory and, before answering from it, asks the database for the
// entries after the newest it has (and its newest again, to see it unchanged): one indexed read,
// so a link made by another golive counts at the next request (requests at the same moment share
// that read when it was sent after each asked: joined-reads.ts). An append takes an advisory lock,
// reads what others appended meanwhile, and plans the entry on the record as it then stands, so
// the chain stays one chain whichever golive writes.

export const WHERE = 'the identity record (the rows of identity_audit, as the schema owner)';

export interface PostgresIdentityOptions extends SchemaOptions {
  key?: AuditKey;
  /** Picks a number below `max`; crypto-random unless a test gives its own. */
  random?: (max: number) => number;
  log?: (message: string) => void;
}

interface Row {
  seq: number;
  entry: unknown;
}

/** Opens the identity record on `db`, bringing its schema up to date first (unless schemaChecked). */
export async function openPostgresIdentities(db: Db, options: PostgresIdentityOptions = {}): Promise<IdentityPort> {
  const { log = () => undefined } = options;
  if (!options.schemaChecked) await applyMigrations(db, { log });
  const rows = await reading(db, 'read the identity record', () => db.query<Row>('SELECT seq, entry FROM identity_audit ORDER BY seq'));
  return new PostgresIdentities(db, recordOf(new IdentityRecord([], undefined, options.key), rows.rows, options.key), options.key, options.random ?? randomInt, log);
}

class PostgresIdentities implements IdentityPort {
  private writes: Promise<unknown> = Promise.resolve();
  private readonly catchUps = new JoinedReads<IdentityRecord>();

  constructor(
    private readonly db: Db,
    private record: IdentityRecord,
    private readonly key: AuditKey,
    private readonly random: (max: number) => number,
    private readonly log: (message: string) => void,
  ) {}

  async aliases(id: string): Promise<string[]> {
    return (await this.fresh()).reading().aliases(id);
  }

  async read(): Promise<IdentityReading> {
    return (await this.fresh()).reading();
  }

  issue(actor: Actor, now: Date, refreshNow?: () => Date): Promise<{ code: string; expiresAt: Date }> {
    return this.append((record) => record.issue(actor, now, this.random, refreshNow));
  }

  redeem(actor: Actor, typed: string, now: Date, refreshNow?: () => Date): Promise<string> {
    return this.append((record) => record.redeem(actor, typed, now, refreshNow));
  }

  unlink(actor: Actor, other: string, now: Date, refreshNow?: () => Date): Promise<void> {
    return this.append((record) => record.unlink(actor, other, now, refreshNow));
  }

  /** The record with whatever was appended since this golive last looked. */
  private fresh(): Promise<IdentityRecord> {
    // Inside a transaction the read is that transaction's, not one to share.
    return this.db.inTransaction() ? this.freshOn(this.db.query.bind(this.db)) : this.catchUps.read('identities', () => this.freshOn(briefly(this.db)));
  }

  private async freshOn(query: Queryable['query']): Promise<IdentityRecord> {
    const known = this.record;
    // A record that failed stays failed here until it is looked at and golive started again.
    if (known.problem) return known;
    const rows = await reading(this.db, 'read the identity record', () => query<Row>('SELECT seq, entry FROM identity_audit WHERE seq >= $1 ORDER BY seq', [Math.max(known.length, 1)]));
    const next = recordOf(known, rows.rows, this.key);
    this.adopt(next);
    return next;
  }

  /** Keeps the newest record seen: reads that overlap may finish in any order. */
  private adopt(next: IdentityRecord): void {
    if (next.problem && !this.record.problem) this.log(`${next.problem} Links between identities are ignored until it is looked at.`);
    if (next.problem || next.length > this.record.length) this.record = next;
  }

  private append<T>(plan: (record: IdentityRecord) => Step<T>): Promise<T> {
    const run = async () => {
      let written: IdentityRecord | undefined;
      let refused: { error: unknown } | undefined;
      const step = await this.db
        .transaction(async (tx) => {
          // One writer at a time, across every golive on this schema.
          await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('golive.identities.' || current_schema(), 0))`);
          const record = await this.freshOn(tx.query.bind(tx));
          let step: Step<T>;
          try {
            step = plan(record);
          } catch (error) {
            refused = { error };
            throw error;
          }
          await tx.query('INSERT INTO identity_audit (seq, entry) VALUES ($1, $2::jsonb)', [step.entry.seq, JSON.stringify(step.entry)]);
          written = record.after(step.entry);
          return step;
        })
        .catch((error: unknown) => {
          if (error instanceof StoreError || refused?.error === error) throw error;
          throw new StoreError(`${this.db.label}: the identity record was not written, and nothing of it was kept: ${error instanceof Error ? error.message : String(error)}`);
        });
      this.adopt(written!);
      return outcomeOf(step);
    };
    const result = this.writes.then(run, run);
    this.writes = result.catch(() => undefined);
    return result;
  }
}

/**
 * `known` continued by `rows` (which start at its newest entry, or at the first): verified whole
 * when anything was added; failed when an entry golive already had is gone or changed.
 */
function recordOf(known: IdentityRecord, rows: readonly Row[], key: AuditKey): IdentityRecord {
  const head = known.head;
  let from = 0;
  if (head) {
    // The entry this golive has as the newest must still be there, exactly as it was.
    const same = rows[0];
    if (!same || same.seq !== head.seq || canonicalOrNull(same.entry) !== canonicalJson(head)) {
      return new IdentityRecord([...known.all()], `The identity record fails verification at entry ${head.seq}: it is no longer the entry golive read; the record was changed outside golive.`, key);
    }
    from = 1;
  }
  if (from >= rows.length) return known;
  const entries = [...known.all()];
  for (const row of rows.slice(from)) {
    const parsed = AuditEntry.safeParse(row.entry);
    if (!parsed.success) return new IdentityRecord(entries, `The identity record fails verification at entry ${row.seq}: it is not a valid audit entry (${problems(parsed.error)}).`, key);
    if (parsed.data.seq !== row.seq)
      return new IdentityRecord(entries, `The identity record fails verification at entry ${row.seq}: it is stored as number ${row.seq} but says ${parsed.data.seq}.`, key);
    entries.push(parsed.data);
  }
  return new IdentityRecord(entries, identityProblem(entries, key, WHERE), key);
}

function canonicalOrNull(value: unknown): string | null {
  try {
    return canonicalJson(value);
  } catch {
    return null;
  }
}

async function reading<T>(db: Db, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StoreError(`${db.label}: cannot ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
