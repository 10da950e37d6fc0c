import { createHash } from 'node:crypto';
import pg from 'pg';
import { recordVerifier } from '../src/app/record-check.js';
import { openInboxFile } from '../store/inbox-file.js';
import { importRecord } from '../store/postgres/import-record.js';
import { applyMigrations } from '../store/postgres/migrate.js';
import { openPoolDb } from '../store/postgres/pool-db.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { BenchStore } from './bench-stores.js';

export const BENCH_DATABASE_URL = process.env.GOLIVE_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The PostgreSQL store (store/postgres) on the server at GOLIVE_BENCH_DATABASE_URL, each run in a
 * schema of its own, named after the run's temp folder, created by `seed` and dropped by `drop`.
 * The inbox stays a file in the folder, as golive keeps it with DATABASE_URL set.
 */
export const postgresServer: BenchStore = {
  name: 'PostgreSQL server',
  unavailable: () => (probe ??= probeServer()),
  async seed(dir, docs) {
    const schema = schemaOf(dir);
    await admin(`CREATE SCHEMA ${schema}`);
    const db = openPoolDb(BENCH_DATABASE_URL, { schema });
    try {
      await applyMigrations(db);
      // Not verified on the way in: the benchmark's own open verifies every record, and quarantines
      // one that fails, which its confirms then cannot be applied to (and the benchmark says so).
      for (const doc of docs) await importRecord(db, doc, () => undefined);
    } finally {
      await db.close();
    }
  },
  open: (dir, options) => openPostgresStore(openPoolDb(BENCH_DATABASE_URL, { schema: schemaOf(dir) }), { verify: recordVerifier({}), ...(options?.sweep === false && { sweepAfterMs: false }) }),
  openInbox: (dir) => openInboxFile(dir),
  drop: (dir) => admin(`DROP SCHEMA IF EXISTS ${schemaOf(dir)} CASCADE`),
};

let probe: Promise<string | undefined> | undefined;

/** One schema a folder: the same folder always names the same schema, and no two folders share one. */
function schemaOf(dir: string): string {
  return `golive_bench_${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`;
}

/** Runs `sql` as the database's owner, outside golive: creating and dropping a run's schema. */
export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function probeServer(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    return `no server answers at ${BENCH_DATABASE_URL} (${reason}); set GOLIVE_BENCH_DATABASE_URL to one to measure it`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
