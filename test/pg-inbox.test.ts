import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INBOX_LEASE_MS, MAX_HANDLING_MS, RENEW_EVERY_MS, type Inbox } from '../src/app/inbox.js';
import { StoreError } from '../src/app/store-port.js';
import { KEEP_DONE_MS, openPgInbox } from '../store/postgres/pg-inbox.js';
import { inboxContract, request, START } from './inbox-contract.js';
import { rejectionOf } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import type { Db } from '../store/postgres/db.js';
import { throughStatements } from './support/through-statements.js';
import { FixedClock } from './support/test-clock.js';

// The inbox every replica shares on PostgreSQL: the port's contract (the successor is another
// replica), then what is in its rows, replicas claiming at once, bad rows, and how long done rows stay.

interface InboxRow {
  id: string;
  platform: string;
  entry: unknown;
  holder: string;
  lease_until: Date | string | null;
  done_at: Date | string | null;
  outcome: string | null;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const at = (ms: number) => new Date(Date.parse(START) + ms).toISOString();

forEachTarget('the inbox on PostgreSQL', (target) => {
  inboxContract(`PostgreSQL inbox on ${target.name} (store/postgres/pg-inbox.ts)`, async (clock) => {
    const schema = await target.schema();
    const opened: Inbox[] = [await openPgInbox(await schema.db(), { clock, holder: 'replica-a' })];
    return {
      inbox: opened[0]!,
      leaseMs: INBOX_LEASE_MS,
      async successor() {
        const next = await openPgInbox(await schema.db(), { clock, holder: 'replica-b' });
        opened.push(next);
        return next;
      },
      async cleanup() {
        for (const inbox of opened) await inbox.close();
        await schema.drop();
      },
    };
  });

  describe(`its rows, replicas and bad data (${target.name})`, () => {
    let schema: TestSchema;
    let clock: FixedClock;
    const opened: Inbox[] = [];

    beforeEach(async () => {
      schema = await target.schema();
      clock = new FixedClock(START);
    }, 60_000);

    afterEach(async () => {
      for (const inbox of opened.splice(0)) await inbox.close();
      await schema.drop();
    });

    async function replica(holder: string): Promise<Inbox> {
      const inbox = await openPgInbox(await schema.db(), { clock, holder });
      opened.push(inbox);
      return inbox;
    }

    const rows = () => schema.sql<InboxRow>('SELECT id, platform, entry, holder, lease_until, done_at, outcome FROM inbox ORDER BY position');
    const row = async (id: string) => {
      const found = (await rows()).find((r) => r.id === id);
      return found && { ...found, lease_until: iso(found.lease_until), done_at: iso(found.done_at) };
    };

    it('keeps the request, who holds it and until when; done stamps the time and the first outcome, on one line, and ends the lease', async () => {
      const a = await replica('replica-a');
      expect(a.shared).toBe(true);
      await a.receive(request(1));
      expect(await row('trigger-1')).toEqual({ id: 'trigger-1', platform: 'slack', entry: request(1), holder: 'replica-a', lease_until: at(INBOX_LEASE_MS), done_at: null, outcome: null });

      clock.advance(2_000);
      await a.done('trigger-1', 'Answer recorded:\n\u0007criterion 1 met');
      clock.advance(1_000);
      await a.done('trigger-1', 'something else');
      expect(await row('trigger-1')).toMatchObject({ holder: 'replica-a', lease_until: null, done_at: at(2_000), outcome: 'Answer recorded: criterion 1 met' });
    });

    it('writes a receipt that only reads, and every done mark, without waiting for the disk where the database can; any other receipt durably', async () => {
      const db = await schema.db();
      const unsynced: string[] = [];
      // The same database; what went through which door is noted.
      const noted: Db = {
        ...db,
        label: db.label,
        query: db.query.bind(db),
        exec: db.exec.bind(db),
        transaction: db.transaction.bind(db),
        close: db.close.bind(db),
        ...(db.unsynced && {
          unsynced: (sql: string, params?: readonly unknown[]) => {
            unsynced.push(sql.split(' ')[0]!);
            return db.unsynced!(sql, params);
          },
        }),
      };
      const a = await openPgInbox(noted, { clock, holder: 'replica-a', closeDb: true });
      opened.push(a);
      await a.receive(request(1), 'written');
      await a.receive(request(2), 'durable');
      await a.done('trigger-1', 'Status shown');
      await a.done('trigger-2', 'Answer recorded');
      expect(await row('trigger-1')).toMatchObject({ holder: 'replica-a', done_at: at(0), outcome: 'Status shown' });
      expect(await row('trigger-2')).toMatchObject({ holder: 'replica-a', done_at: at(0), outcome: 'Answer recorded' });
      if (target.separateConnections) {
        expect(unsynced).toEqual(['INSERT', 'UPDATE', 'UPDATE']);
        expect((await db.unsynced!<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit).toBe('off');
      } else {
        expect(db.unsynced).toBeUndefined();
      }
    });

    it('marks asked for together are written in one statement, each with its own outcome; the first outcome of a request is kept', async () => {
      const db = await schema.db();
      const statements: string[] = [];
      const noted = throughStatements(db, (sql, params, run) => {
        statements.push(sql.trim().split(/\s+/)[0]!);
        return run(sql, params);
      });
      const a = await openPgInbox(noted, { clock, holder: 'replica-a', closeDb: true });
      opened.push(a);
      for (let n = 1; n <= 10; n += 1) await a.receive(request(n), 'written');
      statements.length = 0;
      clock.advance(1_000);
      await Promise.all([...Array.from({ length: 10 }, (_, i) => a.done(`trigger-${i + 1}`, `Status ${i + 1} shown`)), a.done('trigger-3', 'a second outcome')]);
      expect(statements).toEqual(['UPDATE']);
      for (let n = 1; n <= 10; n += 1) expect(await row(`trigger-${n}`)).toMatchObject({ done_at: at(1_000), outcome: `Status ${n} shown`, lease_until: null });
      // Asked for just before close: written before the inbox lets go of the database.
      const late = a.done('trigger-1', 'too late to change it');
      await a.close();
      await late;
      expect(await row('trigger-1')).toMatchObject({ outcome: 'Status 1 shown' });
    });

    it('a receipt alone is written at once; those asked for while one of their kind is on its way share the next statement, in the order asked; a request twice among them is received once', async () => {
      const db = await schema.db();
      const inserts: unknown[] = [];
      const noted = throughStatements(db, (sql, params, run) => {
        // The ids each statement inserts: an array for several, one value for one (VALUES).
        if (sql.trim().startsWith('INSERT')) inserts.push(Array.isArray(params?.[0]) ? params[0] : [params?.[0]]);
        return run(sql, params);
      });
      const a = await openPgInbox(noted, { clock, holder: 'replica-a', closeDb: true });
      opened.push(a);
      const fresh = await Promise.all([
        a.receive(request(1), 'written'),
        a.receive(request(2), 'durable'),
        a.receive(request(3), 'written'),
        // A retry racing its first delivery, twice: once while it is on its way, once in the same statement.
        a.receive(request(1), 'written'),
        a.receive(request(4), 'written'),
        a.receive(request(4), 'written'),
        a.receive(request(5), 'durable'),
      ]);
      expect(fresh).toEqual([true, true, true, false, true, false, true]);
      // The first of each kind at once; the rest of each in one more, whichever kind comes back first.
      expect(inserts.slice(0, 2)).toEqual([['trigger-1'], ['trigger-2']]);
      expect(inserts.slice(2)).toHaveLength(2);
      expect(inserts.slice(2)).toEqual(expect.arrayContaining([['trigger-3', 'trigger-1', 'trigger-4'], ['trigger-5']]));
      const kept = await rows();
      // Each statement in the order asked; statements of the two kinds go their own ways.
      const order = kept.map((r) => r.id);
      expect(order.filter((id) => ['trigger-1', 'trigger-3', 'trigger-4'].includes(id))).toEqual(['trigger-1', 'trigger-3', 'trigger-4']);
      expect(order.filter((id) => ['trigger-2', 'trigger-5'].includes(id))).toEqual(['trigger-2', 'trigger-5']);
      expect(kept.map((r) => r.entry).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual([request(1), request(2), request(3), request(4), request(5)]);
      expect(new Set(kept.map((r) => r.holder))).toEqual(new Set(['replica-a']));
    });

    it('receipts whose statement fails each fail, naming their request, and none is kept; the next receipt is written', async () => {
      const db = await schema.db();
      let failing = true;
      const failingInserts = throughStatements(db, (sql, params, run) => (failing && sql.trim().startsWith('INSERT') ? Promise.reject(new Error('the server went away')) : run(sql, params)));
      const a = await openPgInbox(failingInserts, { clock, holder: 'replica-a', closeDb: true });
      opened.push(a);
      const failures = await Promise.all([rejectionOf(a.receive(request(1), 'written')), rejectionOf(a.receive(request(2), 'written'))]);
      for (const [n, failure] of failures.entries()) {
        expect(failure).toBeInstanceOf(StoreError);
        expect((failure as Error).message).toContain(`could not save request "trigger-${n + 1}" in the inbox (the server went away)`);
      }
      expect(await rows()).toEqual([]);
      failing = false;
      expect(await a.receive(request(1), 'written')).toBe(true);
      expect((await rows()).map((r) => r.id)).toEqual(['trigger-1']);
    });

    it('moves an abandoned request to the replica that claims it, with a new lease; whoever marks it done is kept as its holder', async () => {
      const a = await replica('replica-a');
      const b = await replica('replica-b');
      await a.receive(request(1));
      const now = clock.advance(INBOX_LEASE_MS);
      expect(await b.abandoned(now, ['slack'])).toEqual([request(1)]);
      expect(await row('trigger-1')).toMatchObject({ holder: 'replica-b', lease_until: at(2 * INBOX_LEASE_MS), done_at: null });
      await b.done('trigger-1', 'Answer recorded');
      expect(await row('trigger-1')).toMatchObject({ holder: 'replica-b', done_at: at(INBOX_LEASE_MS), outcome: 'Answer recorded' });
    });

    it('a request its replica is still handling is renewed, so no other takes it; one done, or held past the handling limit, is not', async () => {
      const a = await replica('replica-a');
      const b = await replica('replica-b');
      await a.receive(request(1));
      await a.receive(request(2));
      await a.receive(request(3));
      await a.done('trigger-3', 'Status shown');
      // A backlog: every few seconds the live replica renews what it has not answered yet.
      for (let n = 0; n < 12; n += 1) {
        const now = clock.advance(RENEW_EVERY_MS);
        expect(await a.renew(now)).toBe(2);
        expect(await b.abandoned(now, ['slack'])).toEqual([]);
      }
      expect(await row('trigger-1')).toMatchObject({ holder: 'replica-a', lease_until: at(12 * RENEW_EVERY_MS + INBOX_LEASE_MS) });
      await a.done('trigger-1', 'Answer recorded');
      // Renewals stop at the handling limit: the rest is left to whoever finds it then.
      clock.advance(MAX_HANDLING_MS + 1 - 12 * RENEW_EVERY_MS);
      expect(await a.renew(clock.now())).toBe(0);
      const now = clock.advance(INBOX_LEASE_MS);
      expect(await b.abandoned(now, ['slack'])).toEqual([request(2)]);
      // Taken over: the first replica's renewals no longer touch it.
      expect(await a.renew(now)).toBe(0);
      expect(await row('trigger-2')).toMatchObject({ holder: 'replica-b' });
      expect(await rejectionOf(a.renew(new Date(Number.NaN)))).toBeInstanceOf(RangeError);
    });

    it('two replicas asking at once claim each abandoned request exactly once', async () => {
      const dead = await replica('replica-dead');
      const ids = Array.from({ length: 120 }, (_, n) => `trigger-${n}`);
      await Promise.all(ids.map((_, n) => dead.receive(request(n))));
      const b = await replica('replica-b');
      const c = await replica('replica-c');
      const now = clock.advance(INBOX_LEASE_MS);
      const claimAll = async (inbox: Inbox) => {
        const got: string[] = [];
        for (;;) {
          const batch = await inbox.abandoned(now, ['slack']);
          if (batch.length === 0) return got;
          got.push(...batch.map((entry) => entry.id));
        }
      };
      const [byB, byC] = await Promise.all([claimAll(b), claimAll(c)]);
      expect([...byB, ...byC].sort()).toEqual([...ids].sort());
      expect(new Set([...byB, ...byC]).size).toBe(ids.length);
      const holders = new Map((await rows()).map((r) => [r.id, r.holder]));
      for (const id of byB) expect(holders.get(id)).toBe('replica-b');
      for (const id of byC) expect(holders.get(id)).toBe('replica-c');
    });

    it('a retry sent to two replicas at once is received by one of them', async () => {
      const b = await replica('replica-b');
      const c = await replica('replica-c');
      const results = await Promise.all(Array.from({ length: 20 }, (_, n) => Promise.all([b.receive(request(n)), c.receive(request(n))])));
      for (const pair of results) expect(pair.filter(Boolean)).toHaveLength(1);
      expect(await rows()).toHaveLength(20);
    });

    it('will not open on a row that is not a request golive wrote, naming it, and changes nothing', async () => {
      await (await replica('replica-a')).receive(request(1));
      await schema.sql(`INSERT INTO inbox (id, platform, entry, received_at, holder, lease_until) VALUES ('bad-1', 'slack', '{"type":"received","id":"bad-1"}', $1, 'someone', $1)`, [START]);
      const before = await rows();
      const error = await rejectionOf(openPgInbox(await schema.db(), { clock }));
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(/inbox row "bad-1" is not a received request \(.+\); golive will not start until it is repaired or deleted/);
      expect((error as Error).message).toContain(schema.name);
      expect(await rows()).toEqual(before);

      await schema.sql(`UPDATE inbox SET entry = $1 WHERE id = 'bad-1'`, [JSON.stringify(request(2))]);
      const mismatch = await rejectionOf(openPgInbox(await schema.db(), { clock }));
      expect((mismatch as Error).message).toContain('inbox row "bad-1" (platform slack) holds request "trigger-2" from slack');
    });

    it('a bad row found when claiming: a clear error, nothing claimed, nothing deleted', async () => {
      const a = await replica('replica-a');
      const b = await replica('replica-b');
      await a.receive(request(1));
      await a.receive(request(2));
      await a.done('trigger-2', 'Status shown');
      await schema.sql(`INSERT INTO inbox (id, platform, entry, received_at, holder, lease_until) VALUES ('bad-1', 'slack', '[1, 2]', $1, 'someone', $1)`, [START]);
      const before = await rows();
      const error = await rejectionOf(b.abandoned(clock.advance(KEEP_DONE_MS + INBOX_LEASE_MS), ['slack']));
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(/inbox row "bad-1" is not a received request \(.+\); nothing was claimed, and no abandoned request is handled until it is repaired or deleted/);
      expect(await rows()).toEqual(before);

      await schema.sql(`DELETE FROM inbox WHERE id = 'bad-1'`);
      expect(await b.abandoned(clock.now(), ['slack'])).toEqual([request(1)]);
    });

    it('keeps done rows for seven days, then a pass deletes them; a retry after that would be new', async () => {
      const a = await replica('replica-a');
      await a.receive(request(1));
      await a.done('trigger-1', 'Answer recorded');
      await a.receive(request(2));
      const b = await replica('replica-b');
      await b.abandoned(clock.advance(KEEP_DONE_MS), ['slack']);
      expect((await rows()).map((r) => r.id)).toEqual(['trigger-1', 'trigger-2']);
      await b.abandoned(clock.advance(1), ['teams']);
      // Only done rows go, whatever platform the pass asks for.
      expect((await rows()).map((r) => r.id)).toEqual(['trigger-2']);
      expect(await b.receive(request(1))).toBe(true);
    });
  });
});
