import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '../store/postgres/db.js';
import { openPgInbox } from '../store/postgres/pg-inbox.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { SHORT_STATEMENT_SETTINGS } from '../store/postgres/pool-db.js';
import { request } from './inbox-contract.js';
import { entryAfter, release } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { throughStatements } from './support/through-statements.js';
import { FixedClock } from './support/test-clock.js';

// golive's statements are prepared: a connection plans each once, and keeps a generic plan while
// nothing tells it the tables changed (no ANALYZE: on a server whose autovacuum is off, or a new
// database). A plan made while a table was small must still find its rows by key once the table
// is large, or each statement costs more with every request golive has received and every entry a
// release has. Each statement here (as golive sent it, seen in a schema of its own) is planned as
// golive's connection would plan it on a new database (a generic plan, made while the tables are
// empty or hold a few rows, with the settings of the connection that sends it), the tables are
// then grown as golive grows them, and running the kept plan may touch only a few pages.

/** Pages a statement looking up a few rows by key may touch (index and table), a little over what they take. */
const FEW_PAGES = 20;
const ROWS = 10_000;

interface PlanNode {
  'Node Type': string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}
/** An entry the size of a request's or an answer's, so the rows fill the pages they would. */
const ENTRY = `jsonb_build_object('text', repeat('x', 300))`;

forEachTarget('statements found by key stay key lookups as the tables grow', (target) => {
  /** Where the statements are seen as golive sends them. */
  let seenIn: TestSchema;
  /** A new database, as golive finds it: the statements are planned here while its tables are empty. */
  let schema: TestSchema;
  const closing: Array<{ close(): Promise<void> }> = [];

  beforeEach(async () => {
    seenIn = await target.schema();
    schema = await target.schema();
  }, 60_000);

  /** The connection's planning settings back to the server's (its search_path stays). */
  async function resetPlanning(): Promise<void> {
    for (const setting of ['plan_cache_mode', ...SHORT_STATEMENT_SETTINGS]) await schema.sql(`RESET ${setting.split('=')[0]}`);
  }

  afterEach(async () => {
    await resetPlanning();
    for (const open of closing.splice(0)) await open.close();
    await seenIn.drop();
    await schema.drop();
  });

  /** The statements golive sends while `run` runs on a database of their own, those `wanted` picks. */
  async function statementsOf(run: (db: Db) => Promise<void>, wanted: (sql: string) => boolean): Promise<string[]> {
    const db = await seenIn.db();
    const seen = new Set<string>();
    await run(
      throughStatements(db, (sql, params, send) => {
        if (wanted(sql)) seen.add(sql);
        return send(sql, params);
      }),
    );
    return [...seen];
  }

  /**
   * Prepares `sql` and has its generic plan made now, as golive's connection would keep it: a
   * plan is made at a statement's first run, so it is explained (not run) with `args` here.
   */
  async function planNow(name: string, sql: string, args: string, settings: readonly string[] = []): Promise<void> {
    await resetPlanning();
    for (const setting of ['plan_cache_mode=force_generic_plan', ...settings]) await schema.sql(`SET ${setting.replace('=', ' = ')}`);
    await schema.sql(`PREPARE ${name} AS ${sql}`);
    await schema.sql(`EXPLAIN EXECUTE ${name}(${args})`);
  }

  /** Runs the kept plan with these arguments: the pages it touched finding its rows (for a write, before writing them). */
  async function pagesTouched(name: string, args: string): Promise<number> {
    const [row] = await schema.sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> | string }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE ${name}(${args})`);
    const explained = row!['QUERY PLAN'];
    const top = (typeof explained === 'string' ? (JSON.parse(explained) as Array<{ Plan: PlanNode }>) : explained)[0]!.Plan;
    const finding = top['Node Type'] === 'ModifyTable' ? top.Plans![0]! : top;
    return finding['Shared Hit Blocks'] + finding['Shared Read Blocks'];
  }

  it("an inbox done mark, alone or shared, and a lease's renewal find their rows by id after thousands of requests were received and done", async () => {
    const clock = new FixedClock('2019-11-07T10:00:00.000Z');
    const updates = await statementsOf(
      async (db) => {
        const inbox = await openPgInbox(db, { clock, holder: 'replica-a' });
        closing.push(inbox);
        for (let n = 1; n <= 3; n += 1) await inbox.receive(request(n), 'written');
        await inbox.renew(clock.now());
        await inbox.done('trigger-1', 'Status shown');
        await Promise.all([inbox.done('trigger-2', 'Status shown'), inbox.done('trigger-3', 'Status shown')]);
      },
      (sql) => sql.startsWith('UPDATE inbox'),
    );
    const single = updates.find((sql) => sql.includes('done_at = $2'));
    const shared = updates.find((sql) => sql.includes('unnest'));
    const renewal = updates.find((sql) => sql.includes('SET lease_until = $3'));
    expect({ single, shared, renewal }).toEqual({ single: expect.any(String), shared: expect.any(String), renewal: expect.any(String) });

    const inbox = await openPgInbox(await schema.db(), { clock, holder: 'replica-a', closeDb: true });
    closing.push(inbox);
    // The table golive's connection first ran them on: a few requests, received and done.
    for (let n = 1; n <= 5; n += 1) await inbox.receive(request(n, { id: `first-${n}` }), 'written');
    for (let n = 1; n <= 5; n += 1) await inbox.done(`first-${n}`, 'Status shown');
    const renewArgs = `ARRAY['trigger-1'], 'replica-a', now() + interval '30 seconds'`;
    const oneArgs = `'trigger-1', now(), 'Status shown', 'replica-a'`;
    const manyArgs = `ARRAY['trigger-2', 'trigger-3'], ARRAY[now(), now()]::timestamptz[], ARRAY['Status shown', 'Status shown'], 'replica-a'`;
    // They are sent on the connection the short statements share.
    await planNow('renew', renewal!, renewArgs, SHORT_STATEMENT_SETTINGS);
    await planNow('done_one', single!, oneArgs, SHORT_STATEMENT_SETTINGS);
    await planNow('done_many', shared!, manyArgs, SHORT_STATEMENT_SETTINGS);
    // Thousands of requests received and then done, as golive writes them (an insert, then an update).
    await schema.sql(
      `INSERT INTO inbox (id, platform, entry, received_at, holder, lease_until)
        SELECT 'earlier-' || n, 'slack', ${ENTRY}, now(), 'replica-a', now() FROM generate_series(1, ${ROWS}) AS n`,
    );
    await schema.sql(`UPDATE inbox SET done_at = now(), outcome = 'Status shown', lease_until = NULL WHERE id LIKE 'earlier-%'`);
    for (let n = 1; n <= 3; n += 1) await inbox.receive(request(n), 'written');

    expect(await pagesTouched('renew', renewArgs)).toBeLessThanOrEqual(FEW_PAGES);
    expect(await pagesTouched('done_one', oneArgs)).toBeLessThanOrEqual(FEW_PAGES);
    expect(await pagesTouched('done_many', manyArgs)).toBeLessThanOrEqual(FEW_PAGES);
    // The kept plans did their work.
    expect(await schema.sql(`SELECT id, outcome FROM inbox WHERE id LIKE 'trigger-%' ORDER BY id`)).toEqual(Array.from({ length: 3 }, (_, i) => ({ id: `trigger-${i + 1}`, outcome: 'Status shown' })));
  });

  it("a release's row with its head entry is found by the audit table's key after the release's record grew to thousands of entries", async () => {
    const state = release('nov-2019');
    const first = entryAfter(undefined, state, { command: 'create nov-2019' });
    const reads = await statementsOf(
      async (db) => {
        const store = await openPostgresStore(db, { closeDb: false });
        closing.push(store);
        await store.create(state, first, []);
        await store.get('nov-2019');
        await store.shared!('nov-2019');
        await store.getMany!(['nov-2019']);
      },
      (sql) => sql.startsWith('SELECT') && sql.includes(' AS head') && sql.includes('FROM releases r'),
    );
    // The row for a write or a first use, the copy shared by statuses, and several rows at once.
    expect(reads).toHaveLength(3);

    const store = await openPostgresStore(await schema.db(), { closeDb: true });
    closing.push(store);
    const argsOf = (sql: string) => (sql.includes('ANY($1') ? `ARRAY['nov-2019']` : `'nov-2019'`);
    for (const [n, sql] of reads.entries()) await planNow(`head_${n}`, sql, argsOf(sql));
    await store.create(state, first, []);
    await schema.sql(`INSERT INTO audit (release_id, seq, entry) SELECT 'nov-2019', n, ${ENTRY} FROM generate_series(2, ${ROWS}) AS n`);
    for (const [n, sql] of reads.entries()) {
      expect(await pagesTouched(`head_${n}`, argsOf(sql)), sql).toBeLessThanOrEqual(FEW_PAGES);
    }
  });
});
