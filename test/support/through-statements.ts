import type { Db, QueryResult } from '../../store/postgres/db.js';

export type Run = (sql: string, params?: readonly unknown[]) => Promise<QueryResult<unknown>>;

/** The same database, each statement (by any door it has: query, unsynced, brief) going through `each` first. */
export function throughStatements(db: Db, each: (sql: string, params: readonly unknown[] | undefined, run: Run) => Promise<QueryResult<unknown>>): Db {
  return new Proxy(db, {
    get: (target, key) => {
      if (key !== 'query' && !((key === 'unsynced' || key === 'brief') && target[key])) return Reflect.get(target, key);
      const door = (target[key] as Run).bind(target);
      return (sql: string, params?: readonly unknown[]) => each(sql, params, door);
    },
  });
}
