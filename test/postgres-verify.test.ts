import { afterEach, beforeEach, expect, it } from 'vitest';
import { sealEntry, stateHashOf } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import type { Db } from '../store/postgres/db.js';
import { openPostgresStore, type PostgresStoreOptions } from '../store/postgres/postgres-store.js';
import { StoreError, type Store } from '../src/app/store-port.js';
import { entryAfter, later, message, rejectionOf, release } from './support/port-records.js';
import { forEachTarget, serverTarget, TEST_DATABASE_URL, type TestSchema } from './support/postgres.js';
import { openPoolDb } from '../store/postgres/pool-db.js';
import { watchedCheck } from './support/check-turns.js';
import { CHECKED_A_TURN } from '../src/next-turn.js';

// The audit table is append-only, and a record changed behind golive's back is found: at the
// release's first use in a process, or by the sweep after open (the chain, the state it seals, the
// columns the store reads by), or by the next write (the head and the state under the row lock). A failing release is quarantined in its row: readable, and
// refused to every replica's writes, while the other releases go on.

forEachTarget('a record changed outside golive', (target) => {
  let schema: TestSchema;
  let db: Db;
  let store: Store;
  let logged: string[];

  beforeEach(async () => {
    schema = await target.schema();
    db = await schema.db();
    logged = [];
    store = await open();
  });

  afterEach(async () => {
    await store.close();
    await schema.drop();
  });

  function open(options: PostgresStoreOptions = {}): Promise<Store> {
    // The sweep after open is left out unless a test asks for it, so what finds a change is certain.
    return openPostgresStore(db, { log: (line) => logged.push(line), closeDb: false, sweepAfterMs: false, ...options });
  }

  async function reopen(options: PostgresStoreOptions = {}): Promise<Store> {
    await store.close();
    store = await open(options);
    return store;
  }

  /** A release with `length` entries; the last seals a renamed state. */
  async function recorded(id: string, length = 3): Promise<AuditEntry[]> {
    const state = release(id);
    await store.create(state, entryAfter(undefined, state, { command: `create ${id}` }), []);
    for (let n = 2; n <= length; n++) {
      await store.transact(id, (current) => {
        const next = { ...current.release, name: `${id} v${n}` };
        return { release: next, append: [entryAfter(current.head, next, { command: `rename ${n}`, request: `req-${n}`, at: later(n) })], result: undefined };
      });
    }
    return store.audit(id);
  }

  /** As the tables' owner would: past the append-only trigger. */
  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    await schema.sql('ALTER TABLE audit DISABLE TRIGGER audit_append_only');
    await schema.sql(sql, params);
    await schema.sql('ALTER TABLE audit ENABLE TRIGGER audit_append_only');
  }

  async function expectRefusedWrite(id: string, seq: number): Promise<void> {
    let ran = false;
    const error = await rejectionOf(
      store.transact(id, () => {
        ran = true;
        return { result: undefined };
      }),
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(`release "${id}" is read-only: its record fails verification at entry ${seq}`);
    expect(ran).toBe(false);
  }

  it('the audit table refuses UPDATE, DELETE and TRUNCATE, even to its owner', async () => {
    await recorded('rel-1');
    for (const sql of [`UPDATE audit SET entry = jsonb_set(entry, '{command}', '"forged"') WHERE seq = 2`, 'DELETE FROM audit WHERE seq = 3', 'TRUNCATE audit']) {
      await expect(schema.sql(sql)).rejects.toThrow(/the audit log is append-only/);
    }
    expect((await store.audit('rel-1')).map((entry) => entry.command)).toEqual(['create rel-1', 'rename 2', 'rename 3']);
  });

  it('an edited entry quarantines its release at its first use: readable, every write refused, by every replica; the others are written', async () => {
    const chain = await recorded('bad');
    await recorded('good');
    const other = await openPostgresStore(await schema.db(), { closeDb: false, sweepAfterMs: false });
    await tamper(`UPDATE audit SET entry = jsonb_set(entry, '{command}', '"rename 2 (forged)"') WHERE release_id = 'bad' AND seq = 2`);

    await reopen();
    expect(await store.quarantine('bad')).toEqual({ seq: 2, message: 'Entry 2 was edited: its content no longer matches its hash.' });
    expect(logged).toContain('release "bad": quarantined, its record fails verification at entry 2: Entry 2 was edited: its content no longer matches its hash.');
    expect(await store.quarantine('good')).toBeUndefined();
    await expectRefusedWrite('bad', 2);
    // The replica that opened before the change refuses it too.
    expect(await rejectionOf(other.transact('bad', () => ({ result: undefined })))).toBeInstanceOf(StoreError);
    expect((await store.get('bad'))?.release.name).toBe('bad v3');
    expect((await store.audit('bad')).map((entry) => entry.hash)).toEqual(chain.map((entry) => entry.hash));
    await store.transact('good', (current) => ({ append: [entryAfter(current.head, current.release, { at: later(9) })], result: undefined }));
    expect(await store.audit('good')).toHaveLength(4);
    await other.close();
  });

  it('entries removed from the end are found by the state the head no longer seals', async () => {
    const chain = await recorded('rel-1');
    await tamper(`DELETE FROM audit WHERE release_id = 'rel-1' AND seq = 3`);
    await schema.sql(`UPDATE releases SET head_seq = 2, head_hash = $1 WHERE id = 'rel-1'`, [chain[1]!.hash]);
    await reopen();
    expect(await store.quarantine('rel-1')).toMatchObject({ seq: 2, message: expect.stringMatching(/does not match entry 2/) });
    await expectRefusedWrite('rel-1', 2);
  });

  it("the columns the store reads by must agree with the entries: the head's and the request's", async () => {
    await recorded('head');
    const chain = await recorded('request');
    await schema.sql(`UPDATE releases SET head_seq = 2, head_hash = $1 WHERE id = 'head'`, [(await store.audit('head'))[1]!.hash]);
    await tamper(`UPDATE audit SET request_id = 'req-forged' WHERE release_id = 'request' AND seq = 2`);
    await reopen();
    expect(await store.quarantine('head')).toMatchObject({ seq: 3, message: expect.stringMatching(/head says entry 2 is the newest, but its log ends at entry 3/) });
    expect(await store.quarantine('request')).toMatchObject({ seq: 2, message: expect.stringMatching(/indexed under request "req-forged", but records "req-2"/) });
    expect(chain).toHaveLength(3);
  });

  it('a state changed after the store opened is found by the next write, which quarantines the release for every replica', async () => {
    await recorded('rel-1');
    const other = await openPostgresStore(await schema.db(), { closeDb: false, sweepAfterMs: false });
    await schema.sql(`UPDATE releases SET state = jsonb_set(state, '{name}', '"Forged"') WHERE id = 'rel-1'`);
    await expectRefusedWrite('rel-1', 3);
    expect(logged).toContain(
      'release "rel-1": quarantined, its record fails verification at entry 3: The stored state of the release does not match entry 3, the newest in its record: it was changed outside golive.',
    );
    expect(await other.quarantine('rel-1')).toMatchObject({ seq: 3 });
    expect(await rejectionOf(other.transact('rel-1', () => ({ result: undefined })))).toBeInstanceOf(StoreError);
    expect((await store.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 2, 3]);
    await other.close();
  });

  it("the app's check decides too, and a record that verifies again is written again", async () => {
    await recorded('rel-1');
    await reopen({ verify: (record) => (record.release.id === 'rel-1' ? { seq: 1, message: 'Refused by policy.' } : undefined) });
    expect(await store.quarantine('rel-1')).toEqual({ seq: 1, message: 'Refused by policy.' });
    await expectRefusedWrite('rel-1', 1);
    await reopen();
    expect(await store.quarantine('rel-1')).toBeUndefined();
    expect(logged.at(-1)).toBe('release "rel-1": its record verifies now; it was quarantined (entry 1: Refused by policy.) and is written again');
    await store.transact('rel-1', (current) => ({ append: [entryAfter(current.head, current.release, { at: later(9) })], result: undefined }));
  });

  it('a keyed record needs the key: without it the release is quarantined, with it the store writes on', async () => {
    const key = 'test-audit-key';
    const state = release('keyed');
    const first = sealEntry([], { at: later(0), actor: { id: 'console:tester', platform: 'console' }, command: 'create keyed', outcome: 'applied', stateHash: stateHashOf(state) }, key);
    await store.create(state, first, []);
    await reopen();
    expect(await store.quarantine('keyed')).toMatchObject({ seq: 1, message: expect.stringMatching(/without GOLIVE_AUDIT_KEY/) });
    await reopen({ auditKey: key });
    expect(await store.quarantine('keyed')).toBeUndefined();
    await store.transact('keyed', (current) => {
      const next = sealEntry(
        [current.head!],
        { at: later(1), actor: { id: 'console:tester', platform: 'console' }, command: 'note', outcome: 'applied', stateHash: stateHashOf(current.release) },
        key,
      );
      return { append: [next], result: undefined };
    });
    expect((await store.audit('keyed')).map((entry) => entry.keyed)).toEqual([true, true]);
  });

  it('opening reads no audit entry: a release is checked at its first use, then not again', async () => {
    await recorded('rel-1');
    const queries: string[] = [];
    const watched = new Proxy(db, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== 'query') return typeof value === 'function' ? value.bind(target) : value;
        return (sql: string, params?: readonly unknown[]) => {
          queries.push(sql);
          return target.query(sql, params);
        };
      },
    });
    await store.close();
    store = await openPostgresStore(watched, { log: (line) => logged.push(line), closeDb: false, sweepAfterMs: false });
    expect(queries.filter((sql) => /FROM audit/.test(sql))).toEqual([]);
    expect(await store.quarantine('rel-1')).toBeUndefined();
    const read = queries.filter((sql) => /FROM audit WHERE release_id = \$1 AND seq > \$2/.test(sql)).length;
    expect(read).toBe(1);
    await store.quarantine('rel-1');
    await store.transact('rel-1', (current) => ({ append: [entryAfter(current.head, current.release, { at: later(9) })], result: undefined }));
    expect(queries.filter((sql) => /FROM audit WHERE release_id = \$1 AND seq > \$2/.test(sql))).toHaveLength(read);
  });

  it('refuses the first write to a release edited in the middle, without it being asked about first', async () => {
    await recorded('rel-1', 4);
    await tamper(`UPDATE audit SET entry = jsonb_set(entry, '{command}', '"forged"') WHERE release_id = 'rel-1' AND seq = 3`);
    await reopen();
    await expectRefusedWrite('rel-1', 3);
    expect(logged).toContain('release "rel-1": quarantined, its record fails verification at entry 3: Entry 3 was edited: its content no longer matches its hash.');
    expect((await store.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
  });

  it('checks a record longer than a page in pages, and finds an edit on the second', async () => {
    await recorded('long', 620);
    await recorded('short');
    await reopen();
    expect(await store.quarantine('long')).toBeUndefined();
    await tamper(`UPDATE audit SET entry = jsonb_set(entry, '{command}', '"forged"') WHERE release_id = 'long' AND seq = 601`);
    await reopen();
    expect(await store.quarantine('long')).toEqual({ seq: 601, message: 'Entry 601 was edited: its content no longer matches its hash.' });
    expect(await store.quarantine('short')).toBeUndefined();
  });

  it('checks a long record a few entries at a time, so requests are answered while it runs', async () => {
    await recorded('long', 150);
    const check = watchedCheck();
    await reopen({ verify: check.verify });
    expect(await check.watch(() => store.quarantine('long'))).toBeUndefined();
    expect(check.checked()).toBe(150);
    // A page is 64 entries; between two turns for other work, CHECKED_A_TURN of them at most.
    expect(check.mostWithoutATurn()).toBeLessThanOrEqual(CHECKED_A_TURN);
    expect(CHECKED_A_TURN).toBeLessThan(64);
  });

  it('finds an entry added past the head the row names', async () => {
    const chain = await recorded('rel-1');
    // It seals the stored state, so only the head the row names tells it was not golive's.
    const extra = entryAfter(chain.at(-1), (await store.get('rel-1'))!.release, { at: later(30), command: 'appended by hand' });
    await schema.sql(`INSERT INTO audit (release_id, seq, request_id, entry) VALUES ('rel-1', 4, NULL, $1::jsonb)`, [JSON.stringify(extra)]);
    await reopen();
    expect(await store.quarantine('rel-1')).toMatchObject({ seq: 4, message: expect.stringMatching(/head says entry 3 is the newest, but its log ends at entry 4/) });
  });

  it('finds a tampered release by the sweep after open when nobody uses it', async () => {
    await recorded('a');
    await recorded('b');
    await tamper(`UPDATE audit SET entry = jsonb_set(entry, '{command}', '"forged"') WHERE release_id = 'b' AND seq = 2`);
    await store.close();
    let found: (line: string) => void = () => undefined;
    const sweepFound = new Promise<string>((resolve) => (found = resolve));
    store = await openPostgresStore(db, {
      closeDb: false,
      sweepAfterMs: 0,
      log: (line) => {
        logged.push(line);
        if (line.includes('quarantined')) found(line);
      },
    });
    expect(await sweepFound).toBe('release "b": quarantined, its record fails verification at entry 2: Entry 2 was edited: its content no longer matches its hash.');
    expect(await store.quarantine('b')).toMatchObject({ seq: 2 });
    expect(await store.quarantine('a')).toBeUndefined();
  });

  it('delivers no message of a tampered release, though nothing else asked about it', async () => {
    const state = release('rel-1');
    await store.create(state, entryAfter(undefined, state, { command: 'create rel-1' }), [message('m-1')]);
    await store.transact('rel-1', (current) => ({ append: [entryAfter(current.head, current.release, { at: later(2), command: 'note' })], result: undefined }));
    await tamper(`UPDATE audit SET entry = jsonb_set(entry, '{command}', '"forged"') WHERE release_id = 'rel-1' AND seq = 2`);
    await reopen();
    expect(await store.claimDue(new Date(later(60)), 10, { holder: 'h', leaseMs: 1000, platforms: ['slack', 'teams', 'console'] })).toEqual([]);
    expect(await store.quarantine('rel-1')).toMatchObject({ seq: 2 });
  });
});

forEachTarget(
  'requests waiting for a release to be checked',
  (target) => {
    it('ask for its verdict together on one connection, not on a new connection each', async () => {
      const schema = await target.schema();
      const writer = await openPostgresStore(await schema.db(), { closeDb: false, sweepAfterMs: false });
      const state = release('rel-1');
      await writer.create(state, entryAfter(undefined, state, { command: 'create rel-1' }), []);
      await writer.close();
      // A golive whose connections can be told apart from every other test's.
      const name = `golive_verdicts_${schema.name}`;
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set('application_name', name);
      const store = await openPostgresStore(openPoolDb(url.toString(), { schema: schema.name }), { sweepAfterMs: false });
      try {
        // A burst of requests on a release this process has not checked yet: each waits for the one check.
        const verdicts = await Promise.all(Array.from({ length: 8 }, () => store.quarantine('rel-1')));
        expect(verdicts).toEqual(Array.from({ length: 8 }, () => undefined));
        const open = await schema.sql<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
        // The pool's connection (the schema, the check) and the pipelined one the brief reads share.
        expect(open[0]!.n).toBeLessThanOrEqual(2);
      } finally {
        await store.close();
        await schema.drop();
      }
    });
  },
  [serverTarget],
);
