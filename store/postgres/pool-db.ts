import type pg from 'pg';
import { driver } from './pg-driver.js';
import { describeUrl, NestedTransactionError, quoteIdent, TransactionContext, type Db, type Queryable, type QueryResult } from './db.js';
import { Pipeline } from './pipeline.js';

export interface PoolDbOptions {
  /** Tables live in this schema (it must exist): set as the connections' search_path. */
  schema?: string;
  /** Connections at most (pg's default is 10). */
  max?: number;
  /** Told about a connection the server dropped while it was idle. */
  log?: (message: string) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The settings of the connection the short statements share. A read commits nothing, and a write
 * sent there is one the JSON store makes without an fsync: no waiting for the disk. And each finds
 * its rows by key, so a table is never scanned whole: statements are prepared, a connection keeps
 * the plan it made once, and one made while a table was new scanned it (a few pages then), and
 * went on scanning it as it grew by a row a request, until something analyzed it (autovacuum, where
 * it runs). Turned off, a scan is still made where no index serves; none of these needs one.
 */
export const SHORT_STATEMENT_SETTINGS: readonly string[] = ['synchronous_commit=off', 'enable_seqscan=off'];

/** A Db on a PostgreSQL server (`DATABASE_URL`), through a pool of connections. */
export function openPoolDb(connectionString: string, options: PoolDbOptions = {}): Db {
  const { schema, max, log = () => undefined } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new TypeError(`"${schema}" is not a schema name golive uses (lower-case letters, digits and underscores)`);
  const label = describeUrl(connectionString) + (schema ? ` (schema ${schema})` : '');
  const schemaSetting = schema !== undefined ? [`search_path=${schema}`] : [];
  const pool = new driver.Pool({
    connectionString,
    ...(max !== undefined && { max }),
    ...(schemaSetting.length > 0 && { options: schemaSetting.map((setting) => `-c ${setting}`).join(' ') }),
  });
  // Without a listener, a server restart dropping an idle connection would crash the process.
  pool.on('error', (error) => log(`${label}: an idle database connection failed (${error.message}); the pool opens a new one when needed`));
  // The short statements (unsynced writes, brief reads) share one connection, pipelined (pipeline.ts).
  const pipeline = new Pipeline({ connectionString, settings: [...schemaSetting, ...SHORT_STATEMENT_SETTINGS], log, label });
  // Opened alongside the pool's first connection (a Db that is used makes short statements too),
  // so at start-up it is open by the time the first of them is sent.
  let warmed = false;
  const warm = () => {
    if (warmed) return;
    warmed = true;
    pipeline.warm();
  };
  const context = new TransactionContext();
  /** A short statement: the transaction's, inside one; else sent on the pipelined connection. */
  const short = <R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    const tx = context.current();
    return tx ? tx.query<R>(sql, params) : answer<R>(pipeline.query(statement(sql, params)));
  };
  const listeners = new Listeners(connectionString, schema, log, label);

  return {
    label,
    query<R>(sql: string, params?: readonly unknown[]) {
      const tx = context.current();
      if (tx) return tx.query<R>(sql, params);
      warm();
      return run<R>(pool, sql, params);
    },
    // Both go on the pipelined connection, whose synchronous_commit is off (a read commits nothing).
    unsynced: short,
    brief: short,
    async exec(sql: string) {
      const tx = context.current();
      await (tx ? tx.exec(sql) : pool.query(sql));
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      if (context.current()) throw new NestedTransactionError(label);
      warm();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
      } catch (error) {
        client.release(asError(error));
        throw error;
      }
      // A connection that cannot even roll back may still hold the transaction open: never reused.
      let discard: Error | undefined;
      try {
        const result = await context.run(clientQueryable(client), fn);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: unknown) => (discard = asError(rollback)));
        throw error;
      } finally {
        client.release(discard);
      }
    },
    inTransaction: () => context.current() !== undefined,
    listen: (channel, onNotify) => listeners.listen(channel, onNotify),
    async close() {
      await listeners.close();
      await pipeline.close();
      await pool.end();
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function run<R>(on: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
  return answer<R>(on.query(statement(sql, params)));
}

function answer<R>(result: Promise<pg.QueryResult>): Promise<QueryResult<R>> {
  return result.then((done) => ({ rows: done.rows as R[], rowCount: done.rowCount ?? 0 }));
}

// Statements are named (prepared), so each connection has the server parse and plan one once and
// then only bind it: golive asks the same few dozen statements over and over (a status is four),
// and on a small machine the server's parsing and planning of each competed with golive for the CPU.
// The SQL is golive's own and fixed but for a few variants, so the names stay few; past NAMED,
// a statement is sent unnamed as before.
const NAMED = 500;
const names = new Map<string, string>();

function statement(text: string, params: readonly unknown[] | undefined): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined && names.size < NAMED) names.set(text, (name = `golive_${names.size + 1}`));
  return { text, ...(name !== undefined && { name }), ...(params !== undefined && { values: params as unknown[] }) };
}

function clientQueryable(client: pg.PoolClient): Queryable {
  return {
    query: <R>(sql: string, params?: readonly unknown[]) => run<R>(client, sql, params),
    exec: async (sql: string) => {
      await client.query(sql);
    },
  };
}

/** LISTEN needs a connection of its own that stays open: opened at the first listen. */
class Listeners {
  private client: Promise<pg.Client> | undefined;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();

  constructor(
    private readonly connectionString: string,
    private readonly schema: string | undefined,
    private readonly log: (message: string) => void,
    private readonly label: string,
  ) {}

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const client = await this.connect();
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    }
    set.add(onNotify);
    return async () => {
      const handlers = this.handlers.get(channel);
      if (!handlers?.delete(onNotify) || handlers.size > 0) return;
      this.handlers.delete(channel);
      await client.query(`UNLISTEN ${quoteIdent(channel)}`);
    };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.handlers.clear();
    if (client) await (await client).end();
  }

  private connect(): Promise<pg.Client> {
    this.client ??= (async () => {
      const client = new driver.Client({ connectionString: this.connectionString, ...(this.schema !== undefined && { options: `-c search_path=${this.schema}` }) });
      client.on('notification', (message) => {
        for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      client.on('error', (error) => this.log(`${this.label}: the connection listening for notifications failed (${error.message})`));
      await client.connect();
      return client;
    })();
    return this.client;
  }
}
