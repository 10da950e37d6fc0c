import type { PGlite, Transaction } from '@electric-sql/pglite';
import { KeyedQueue } from '../keyed-queue.js';
import { NestedTransactionError, quoteIdent, TransactionContext, type Db, type Queryable, type QueryResult } from './db.js';

// PGlite is one connection: its own transaction() holds a lock that every query outside the
// transaction waits for, so transactions run one at a time in this process, and a long one stops
// everything. Hence `exclusive`, the in-process lock the store holds instead of a row lock while a
// caller's function runs. PGlite proves the SQL and the store's contract, not locking between
// replicas: that needs a server.

// Per instance, not per Db: two stores on one PGlite (two "replicas" in a test) share it.
const locks = new WeakMap<PGlite, KeyedQueue>();

export interface PgliteDbOptions {
  /** Tables live in this schema, created if missing and set as the search_path. */
  schema?: string;
  /** Close the PGlite instance on close() (default: it belongs to whoever made it). */
  closeInstance?: boolean;
}

/** A Db on an in-process PGlite instance (tests, and machines without a server). */
export async function openPgliteDb(instance: PGlite, options: PgliteDbOptions = {}): Promise<Db> {
  const { schema, closeInstance = false } = options;
  const label = schema ? `PGlite (schema ${schema})` : 'PGlite';
  if (schema !== undefined) {
    await instance.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; SET search_path TO ${quoteIdent(schema)}`);
  }
  const context = new TransactionContext();
  const direct = queryable(instance);
  let lock = locks.get(instance);
  if (!lock) locks.set(instance, (lock = new KeyedQueue()));
  const held = lock;

  return {
    label,
    query<R>(sql: string, params?: readonly unknown[]) {
      return (context.current() ?? direct).query<R>(sql, params);
    },
    exec(sql: string) {
      return (context.current() ?? direct).exec(sql);
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      // PGlite would wait for its own lock, held by the outer transaction, for ever.
      if (context.current()) return Promise.reject(new NestedTransactionError(label));
      return instance.transaction((tx) => context.run(queryable(tx), fn));
    },
    exclusive: (key, fn) => held.run(key, fn),
    inTransaction: () => context.current() !== undefined,
    async listen(channel: string, onNotify: (payload: string) => void) {
      const unlisten = await instance.listen(channel, onNotify);
      return () => unlisten();
    },
    async close() {
      if (closeInstance) await instance.close();
    },
  };
}

function queryable(on: PGlite | Transaction): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await on.query<R>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
    async exec(sql: string) {
      await on.exec(sql);
    },
  };
}
