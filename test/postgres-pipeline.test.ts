import { Socket } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '../store/postgres/db.js';
import { openPoolDb } from '../store/postgres/pool-db.js';
import { Pipeline } from '../store/postgres/pipeline.js';
import { forEachTarget, serverTarget, TEST_DATABASE_URL, type TestSchema } from './support/postgres.js';

// The short statements every request makes (brief reads, unsynced writes) share one pipelined
// connection on a server (store/postgres/pipeline.ts): each must still get its own answer, fail
// alone, and survive the server dropping the connection.

forEachTarget(
  'brief and unsynced statements on one pipelined connection',
  (target) => {
    let schema: TestSchema;
    let db: Db;
    /** Called with each line logged (a test waits on a line this way, without a timer). */
    let onLog: (message: string) => void = () => undefined;

    beforeEach(async () => {
      schema = await target.schema();
      await schema.sql('CREATE TABLE seen (n int PRIMARY KEY)');
      onLog = () => undefined;
      db = openPoolDb(TEST_DATABASE_URL, {
        schema: schema.name,
        log: (message) => onLog(message),
      });
    });

    afterEach(async () => {
      await db.close();
      await schema.drop();
    });

    const brief = <R>(sql: string, params?: unknown[]) => db.brief!<R>(sql, params);
    const backendOf = async () => (await brief<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

    it('forty reads asked at once each get their own answer, all from one connection', async () => {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => brief<{ n: number; pid: number }>('SELECT $1::int AS n, pg_backend_pid() AS pid', [n])));
      expect(answers.map((answer) => answer.rows[0]!.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
      expect(new Set(answers.map((answer) => answer.rows[0]!.pid)).size).toBe(1);
    });

    it('the statements asked for in one turn go to the server in one write, in the order asked', async () => {
      await backendOf();
      const port = Number(new URL(TEST_DATABASE_URL).port || 5432);
      const writes: number[] = [];
      // Every write a socket to the server makes, as the stream hands it to the system.
      const spy = (method: '_write' | '_writev') => {
        const original = Socket.prototype[method] as (...args: unknown[]) => unknown;
        (Socket.prototype as unknown as Record<string, unknown>)[method] = function (this: Socket, ...args: unknown[]) {
          if (this.remotePort === port) writes.push(method === '_writev' ? (args[0] as unknown[]).length : 1);
          return original.apply(this, args);
        };
        return () => void ((Socket.prototype as unknown as Record<string, unknown>)[method] = original);
      };
      const restore = [spy('_write'), spy('_writev')];
      let answers: Array<{ rows: Array<{ n: number }> }>;
      try {
        answers = await Promise.all(Array.from({ length: 20 }, (_, n) => brief<{ n: number }>('SELECT $1::int AS n', [n])));
      } finally {
        for (const undo of restore) undo();
      }
      expect(writes).toHaveLength(1);
      expect(answers.map((answer) => answer.rows[0]!.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    });

    it('a statement the driver refuses before sending fails alone: those asked with it are answered', async () => {
      const pipeline = new Pipeline({ connectionString: TEST_DATABASE_URL, settings: [], log: () => undefined, label: 'test' });
      try {
        const settled = await Promise.allSettled([pipeline.query({ text: 'SELECT 1 AS n' }), pipeline.query(null as unknown as { text: string }), pipeline.query({ text: 'SELECT 2 AS n' })]);
        expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/null or undefined query/);
        expect((settled[2] as PromiseFulfilledResult<{ rows: Array<Record<string, unknown>> }>).value.rows[0]!.n).toBe(2);
      } finally {
        await pipeline.close();
      }
    });

    it('a statement that fails fails alone: those sent around it are answered and committed', async () => {
      const sent = [
        db.unsynced!('INSERT INTO seen (n) VALUES (1)'),
        brief('SELECT 1 / 0 AS never'),
        db.unsynced!('INSERT INTO seen (n) VALUES (1)'),
        db.unsynced!('INSERT INTO seen (n) VALUES (2)'),
        brief<{ n: string }>('SELECT count(*)::text AS n FROM seen'),
      ];
      const settled = await Promise.allSettled(sent);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
      expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/division by zero/);
      expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/duplicate key/);
      // Each its own transaction, in the order sent: the count sees both rows.
      expect((settled[4] as PromiseFulfilledResult<{ rows: { n: string }[] }>).value.rows[0]!.n).toBe('2');
      expect(await schema.sql('SELECT n FROM seen ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('a connection the server ends is replaced: the next statement is answered on a new one', async () => {
      const first = await backendOf();
      const dropped = new Promise<void>((resolve) => {
        onLog = (message) => {
          if (message.includes('a database connection failed')) resolve();
        };
      });
      await schema.sql('SELECT pg_terminate_backend($1)', [first]);
      await dropped;
      const second = await backendOf();
      expect(second).not.toBe(first);
      await db.unsynced!('INSERT INTO seen (n) VALUES (3)');
      expect(await schema.sql('SELECT n FROM seen')).toEqual([{ n: 3 }]);
    });

    it('inside a transaction a brief read is the transaction’s own, and sees what it wrote', async () => {
      const inside = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO seen (n) VALUES (7)');
        return (await brief<{ n: number }>('SELECT n FROM seen')).rows;
      });
      expect(inside).toEqual([{ n: 7 }]);
    });

    it('closing waits for what is on its way; after it, a statement is refused with a clear error', async () => {
      const sent = Array.from({ length: 20 }, (_, n) => db.unsynced!('INSERT INTO seen (n) VALUES ($1)', [n]));
      await db.close();
      await Promise.all(sent);
      expect((await schema.sql<{ n: string }>('SELECT count(*)::text AS n FROM seen'))[0]!.n).toBe('20');
      await expect(brief('SELECT 1')).rejects.toThrow(/the database connection is closed/);
      db = openPoolDb(TEST_DATABASE_URL, { schema: schema.name });
    });
  },
  [serverTarget],
);
