import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../../src/app/store-port.js';
import { projectPath } from '../../src/project-path.js';
import type { Db, Queryable } from './db.js';

// The schema's versions: migrations/NNN_name.sql, applied in order, each once, recorded in
// golive_schema. golive applies the missing ones at start, all in one transaction under an
// advisory lock, so replicas starting together apply each once and none sees half a schema.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// The SQL files are not compiled: read from the project, also by the compiled code under build/.
const FOLDER = projectPath('store', 'postgres', 'migrations');
const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** The migrations this code knows, checked to be numbered 1, 2, 3 … without a gap. */
export function knownMigrations(): Migration[] {
  const migrations = readdirSync(FOLDER)
    .filter((name) => name.endsWith('.sql'))
    .map((file) => {
      const match = FILE.exec(file);
      if (!match) throw new Error(`store/postgres/migrations/${file}: a migration is named NNN_name.sql`);
      return { version: Number(match[1]), name: `${match[1]}_${match[2]}`, sql: readFileSync(join(FOLDER, file), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, at) => {
    if (migration.version !== at + 1) throw new Error(`store/postgres/migrations: expected migration ${at + 1}, found ${migration.name}`);
  });
  return migrations;
}

/**
 * For the parts of the store opened after the store itself (people, identities, inbox, Teams
 * references): main opens them on the Db the store just brought current, so they need not ask again.
 */
export interface SchemaOptions {
  /** The schema was brought current on this Db in this start (by openPostgresStore): not checked again. */
  schemaChecked?: boolean;
}

export interface MigrateOptions {
  log?: (message: string) => void;
  /** The migrations to apply (tests give their own); default: knownMigrations(). */
  migrations?: Migration[];
}

/**
 * Brings the database's schema to the newest version this code knows, and resolves with that
 * version. Rejects with a StoreError, changing nothing, when the database is newer than the code
 * or holds a migration of the same number under another name.
 */
export async function applyMigrations(db: Db, options: MigrateOptions = {}): Promise<number> {
  const { log = () => undefined, migrations = knownMigrations() } = options;
  const latest = migrations.at(-1)?.version ?? 0;
  // Nearly every start finds the schema current: seen in two reads, without a transaction or the lock.
  if (await isCurrent(db, migrations)) return latest;
  try {
    return await db.transaction(async (tx) => {
      const schema = await currentSchema(tx, db.label);
      // Per schema, so two golives in two schemas of one database do not wait for each other.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`golive.migrate.${schema}`]);
      if (!(await tableExists(tx, schema, 'golive_schema'))) {
        await tx.exec('CREATE TABLE golive_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      }
      const applied = (await tx.query<{ version: number; name: string }>('SELECT version, name FROM golive_schema ORDER BY version')).rows;
      const current = applied.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new StoreError(
          `${db.label}: the database's schema is at version ${current} (${applied.at(-1)!.name}), newer than this golive knows (version ${latest}): it was migrated by a newer golive. Run that version, or restore a backup taken before it; golive does not write to a schema it does not know.`,
        );
      }
      for (const row of applied) {
        const known = migrations[row.version - 1];
        if (known?.name !== row.name) {
          throw new StoreError(
            `${db.label}: the database's schema version ${row.version} is "${row.name}", but this golive's is "${known?.name ?? '(none)'}": it was migrated by another build of golive.`,
          );
        }
      }
      for (const migration of migrations.slice(current)) {
        await tx.exec(migration.sql);
        await tx.query('INSERT INTO golive_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        log(`${db.label}: applied schema migration ${migration.name}`);
      }
      return latest;
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    // 42501: insufficient_privilege, as for a role set up to run golive but not to change its tables.
    const owner = (error as { code?: unknown }).code === '42501' ? '; start golive once with the DATABASE_URL of the role that owns the schema to apply it' : '';
    throw new StoreError(`${db.label}: cannot bring the database's schema to version ${latest}: ${reasonOf(error)}${owner}`);
  }
}

/**
 * Whether the schema holds exactly `migrations`, each applied under its own name. Anything else, a
 * read that fails included (no golive_schema table yet), is for the locked path to apply or to explain.
 */
async function isCurrent(db: Db, migrations: readonly Migration[]): Promise<boolean> {
  try {
    // One statement: the rows, and whether the table they come from is the one in the schema the
    // tables are made in (not one of the same name further along the search_path).
    const applied = (
      await db.query<{ version: number; name: string; here: boolean }>(
        `SELECT version, name, tableoid = to_regclass(format('%I.%I', current_schema(), 'golive_schema')) AS here FROM golive_schema ORDER BY version`,
      )
    ).rows;
    return applied.length === migrations.length && applied.every((row, at) => row.here === true && row.version === migrations[at]!.version && row.name === migrations[at]!.name);
  } catch {
    return false;
  }
}

/** The schema the tables are made in: the first of the search_path that exists. */
async function currentSchema(tx: Queryable, label: string): Promise<string> {
  const schema = (await tx.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows[0]?.schema;
  if (!schema) throw new StoreError(`${label}: no schema of the connection's search_path exists, so golive has nowhere to make its tables (create it, or set search_path)`);
  return schema;
}

async function tableExists(tx: Queryable, schema: string, name: string): Promise<boolean> {
  return (await tx.query<{ found: string | null }>('SELECT to_regclass(format($3, $1::text, $2::text))::text AS found', [schema, name, '%I.%I'])).rows[0]?.found != null;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
