import { ScopedContext } from './scoped-context.js';

// The little of a PostgreSQL connection the store needs, so it runs the same on a server (pg.Pool)
// and in-process (PGlite). Everything else about the driver stays behind this file's implementations.

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /** One statement; `$1`… parameters. jsonb parameters are passed as JSON text. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** A script of several statements, without parameters (a migration). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it rejects. While it
   * runs, this Db's own `query` called from inside `fn` (at any depth) uses the transaction's
   * connection, so a read made while a row lock is held needs no second connection and cannot wait
   * for the first. A transaction cannot be started inside another.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Present where the database is one connection in this process (PGlite): runs `fn` holding an
   * in-process lock on `key`, shared by every Db on the same database. The store then holds no
   * transaction while a caller's function runs (that would stop every other query), and relies on
   * this lock where a server relies on the row lock.
   */
  exclusive?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /**
   * One statement committed without waiting for the server to flush it to disk (synchronous_commit
   * off): it survives golive stopping or being killed, not the server losing power in the next
   * moments. For what the JSON store writes without an fsync. Sent like `brief`: one short statement
   * that no other waits long for. Absent (PGlite): `query` is used.
   */
  unsynced?<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * A short read (a few rows found by key) that a burst of requests each make: sent on one
   * connection with the other brief statements, without waiting for the answers of those before it
   * (pipeline.ts), each still its own statement with its own answer. Inside a transaction, the
   * transaction's `query`. Absent (PGlite): `query` is used.
   */
  brief?<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Whether the caller runs inside one of this Db's transactions (its queries go to the
   * transaction's connection, and see what the transaction wrote and has not committed).
   */
  inTransaction(): boolean;
  /** Calls `onNotify` for each NOTIFY on `channel` until the returned function is called. */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Where the data is, for messages: a URL without its password, or "PGlite". */
  readonly label: string;
  close(): Promise<void>;
}

/** `db.brief` where the database has it, else `db.query`. */
export function briefly(db: Db): Queryable['query'] {
  return db.brief ? db.brief.bind(db) : db.query.bind(db);
}

export class NestedTransactionError extends Error {
  constructor(label: string) {
    super(`${label}: a transaction was started inside another one (a store write from inside a transaction's function)`);
    this.name = 'NestedTransactionError';
  }
}

/** Tracks the transaction the current async context runs in, for one Db. */
export class TransactionContext {
  private readonly scopes = new ScopedContext<{ tx: Queryable; open: boolean }>();

  /** The open transaction `fn` was called in, if any (a stray callback that outlived it gets none). */
  current(): Queryable | undefined {
    return this.scopes.current()?.tx;
  }

  run<T>(tx: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.scopes.run({ tx, open: true }, () => fn(tx));
  }
}

/** A connection string with its password left out, to name in messages and logs. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(a DATABASE_URL that is not a URL)';
  }
}

/** A quoted SQL identifier (a schema name from settings or a test). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
