import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import type { Db } from '../../store/postgres/db.js';
import { openPgliteDb } from '../../store/postgres/pglite-db.js';
import { openPoolDb } from '../../store/postgres/pool-db.js';

// Where the PostgreSQL tests run: always on PGlite (in-process), and on a real server when one
// answers at GOLIVE_TEST_DATABASE_URL. Each test gets a schema of its own, dropped afterwards, so
// test files can run side by side on one database and leave nothing behind.

export const TEST_DATABASE_URL = process.env.GOLIVE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
/** Set by CI (.ci/run): a missing server fails the run instead of skipping its tests. */
export const REQUIRE_SERVER = process.env.GOLIVE_REQUIRE_POSTGRES === '1';

export interface Target {
  name: string;
  /** Whether every "replica" has connections of its own (false: PGlite, one connection for all). */
  separateConnections: boolean;
  /** A new, empty schema; drop() removes it with everything in it. */
  schema(): Promise<TestSchema>;
}

export interface TestSchema {
  name: string;
  /** A Db on this schema: on the server a pool of its own (a replica), on PGlite the one instance. */
  db(options?: { max?: number }): Promise<Db>;
  /** Runs SQL as the database's owner would, outside golive (to tamper, to inspect). */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

function schemaName(): string {
  return `golive_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

let pglite: Promise<PGlite> | undefined;

// Registered as the test file that imports this module is collected: its PGlite ends with it.
afterAll(async () => {
  const instance = pglite;
  pglite = undefined;
  if (instance) await (await instance).close();
});

/** One PGlite per test file (starting one takes seconds); each test works in its own schema of it. */
export const pgliteTarget: Target = {
  name: 'PGlite',
  separateConnections: false,
  async schema() {
    pglite ??= PGlite.create();
    const instance = await pglite;
    const name = schemaName();
    const dbs: Db[] = [];
    return {
      name,
      async db() {
        const db = await openPgliteDb(instance, { schema: name });
        dbs.push(db);
        return db;
      },
      async sql<R>(text: string, params?: unknown[]) {
        await instance.exec(`SET search_path TO ${name}`);
        return (await instance.query<R>(text, params)).rows;
      },
      async drop() {
        for (const db of dbs) await db.close();
        await instance.exec(`DROP SCHEMA IF EXISTS ${name} CASCADE; SET search_path TO public`);
      },
    };
  },
};

export const serverTarget: Target = {
  name: 'PostgreSQL server',
  separateConnections: true,
  async schema() {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    const name = schemaName();
    await admin.query(`CREATE SCHEMA ${name}`);
    await admin.query(`SET search_path TO ${name}`);
    const dbs: Db[] = [];
    return {
      name,
      async db(options = {}) {
        const db = openPoolDb(TEST_DATABASE_URL, { schema: name, ...options });
        dbs.push(db);
        return db;
      },
      async sql<R>(text: string, params?: unknown[]) {
        return (await admin.query(text, params)).rows as R[];
      },
      async drop() {
        try {
          for (const db of dbs) await db.close().catch(() => undefined);
          await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        } finally {
          await admin.end();
        }
      },
    };
  },
};

/** Whether a server answers at the URL, and if not, why (asked once per test file). */
async function probeServer(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const serverProblem = await probeServer();
if (serverProblem !== undefined && !REQUIRE_SERVER) {
  console.warn(
    `PostgreSQL server tests skipped: no server answers at ${TEST_DATABASE_URL} (${serverProblem}). They run on PGlite only; set GOLIVE_TEST_DATABASE_URL to a server to run them there too.`,
  );
}

/**
 * Declares `suite` once per target: PGlite always; the server when it answers, else skipped with
 * the reason, or (GOLIVE_REQUIRE_POSTGRES=1) one failing test naming the URL.
 */
export function forEachTarget(title: string, suite: (target: Target) => void, targets: Target[] = [pgliteTarget, serverTarget]): void {
  for (const target of targets) {
    if (target !== serverTarget || serverProblem === undefined) {
      describe(`${title} (${target.name})`, () => suite(target));
    } else if (REQUIRE_SERVER) {
      describe(`${title} (${target.name})`, () => {
        it('needs the PostgreSQL server (GOLIVE_REQUIRE_POSTGRES=1)', () => {
          throw new Error(`no PostgreSQL server answers at ${TEST_DATABASE_URL} (${serverProblem}); start one there, or set GOLIVE_TEST_DATABASE_URL`);
        });
      });
    } else {
      describe.skip(`${title} (${target.name}: skipped, no server answers at ${TEST_DATABASE_URL}: ${serverProblem})`, () => suite(target));
    }
  }
}

/** The test server's URL with connections' search_path set to `schema`: as golive would be given it. */
export function urlForSchema(schema: string): string {
  const parsed = new URL(TEST_DATABASE_URL);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}
