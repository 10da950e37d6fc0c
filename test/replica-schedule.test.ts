import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Clock } from '../src/app/clock.js';
import { Scheduler } from '../src/app/delivery/scheduler.js';
import type { Store } from '../src/app/store-port.js';
import { verifyChain } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import { serve, type Serving } from '../src/serve.js';
import { openInboxFile } from '../store/inbox-file.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { recordsOf, typeInto } from './support/seed-run.js';

// Two golives ("replicas") on one database acting on the releases' schedules: each due point is
// acted on once, by one of them, with no empty entry from the other; and one at a time runs the
// schedule at all (the "schedule" lease), the other taking over once the first stops renewing.
// Two PostgreSQL stores on one schema, the clock injected.

const START = '2019-11-01T10:00:00Z';
const release = (id: string, name: string, date: string) => `/release create "${name}" ${date} --template sec-release --id ${id}
/release role DCC dan
/release role SECAS sam
/release group opsg members olivia oscar --quorum 2 --meeting 2019-11-08
/release group tag members tara tom --quorum 1 --meeting 2019-11-08
`;
const SETUP = `${release('nov-2019', 'November 2019 SEC Release', '2019-11-29')}${release('dec-2019', 'December 2019 SEC Release', '2019-12-06')}`;
const END = new Date('2019-12-10T00:00:00Z');

const isGolive = (entry: AuditEntry) => entry.actor.platform === 'golive';

/** What the schedule did, as the store holds it: golive's entries and the messages they wrote. */
async function scheduleOf(store: Store) {
  return (await recordsOf(store)).map((record) => ({
    id: record.id,
    entries: record.audit.filter(isGolive).map((entry) => ({ at: entry.at, command: entry.command, after: entry.after })),
    messages: record.outbox.filter((m) => m.id.startsWith('sched:')).map((m) => ({ id: m.id, kind: m.kind, to: m.to, dueAt: m.dueAt, late: m.late })),
  }));
}

forEachTarget('two replicas running the schedule', (target) => {
  let schema: TestSchema;
  let one: Store;
  let two: Store;
  let dir: string;

  beforeEach(async () => {
    schema = await target.schema();
    one = await openPostgresStore(await schema.db(), { closeDb: false });
    two = await openPostgresStore(await schema.db(), { closeDb: false });
    dir = await mkdtemp(join(tmpdir(), 'golive-replica-schedule-'));
    const { status, output } = await typeInto(one, dir, SETUP, START);
    expect(status, output).toBe(0);
  }, 60_000);

  afterEach(async () => {
    await one.close();
    await two.close();
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('ticking together at every due instant, they act on each due point once between them, and neither writes an empty entry', async () => {
    // The same releases and ticks with one scheduler alone, on a JSON folder: what must come out.
    const soloDir = await mkdtemp(join(tmpdir(), 'golive-replica-solo-'));
    const solo = await openLowdbStore(join(soloDir, 'data'));
    try {
      expect((await typeInto(solo, soloDir, SETUP, START)).status).toBe(0);
      const logs: string[] = [];
      const alone = new Scheduler(solo, { log: (line) => logs.push(line) });
      const first = new Scheduler(one, { log: (line) => logs.push(line) });
      const second = new Scheduler(two, { log: (line) => logs.push(line) });
      let ticks = 0;
      // The set-up's entries were stamped by a clock that moved a second a command: no tick before them.
      let at = Date.parse(START) + 10 * 60_000;
      for (;;) {
        const due = await first.dueBefore(END);
        if (!due) break;
        at = Math.max(at, due.getTime());
        const next = new Date(at);
        const [a, b] = await Promise.all([first.tick(next), second.tick(next)]);
        const expected = await alone.tick(next);
        // Each release that was due acted once, on one replica or the other.
        expect([...a.acted, ...b.acted].sort()).toEqual([...expected.acted].sort());
        expect(a.messages + b.messages).toBe(expected.messages);
        ticks += 1;
        // Every due instant is acted on: a tick that did not act would find the same instant again.
        expect(expected.acted.length, next.toISOString()).toBeGreaterThan(0);
      }
      expect(logs).toEqual([]);
      expect(await alone.dueBefore(END)).toBeUndefined();
      expect(ticks).toBeGreaterThan(10);

      const shared = await scheduleOf(two);
      expect(shared).toEqual(await scheduleOf(solo));
      for (const { entries, messages } of shared) {
        expect(entries.length).toBeGreaterThan(5);
        for (const entry of entries) {
          const after = entry.after as { sent: unknown[]; dropped: unknown[] };
          expect(after.sent.length + after.dropped.length, `${entry.at} ${entry.command}`).toBeGreaterThan(0);
        }
        expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
      }
      for (const record of await recordsOf(one)) expect(verifyChain(record.audit)).toMatchObject({ ok: true });
    } finally {
      await solo.close();
      await rm(soloDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('one replica at a time runs the schedule; the other takes over once the first stops renewing its lease', async () => {
    let at = new Date('2019-11-01T10:00:30Z');
    const clock: Clock = { now: () => at };
    const logs: string[] = [];
    const open: Serving[] = [];
    const start = async (store: Store, replica: string) => {
      const inbox = await openInboxFile(join(dir, replica));
      const serving = await serve({ adapters: [], store, inbox, clock, port: 0, host: '127.0.0.1', log: (line) => logs.push(line), schedule: { everyMs: 2 ** 31 - 1, leaseMs: 90_000 }, replica });
      open.push(serving);
      await serving.caughtUp;
      return serving;
    };
    const golive = async () => (await recordsOf(two)).flatMap((record) => record.audit.filter(isGolive).map((entry) => `${record.id} ${entry.at}`));
    try {
      // r1 starts first and acts on the kickoff due at 10:00; r2's tick at start finds the lease taken.
      const r1 = await start(one, 'r1');
      expect(await golive()).toEqual(['nov-2019 2019-11-01T10:00:30.000Z']);
      const r2 = await start(two, 'r2');
      expect(await golive()).toHaveLength(1);

      const due = (await new Scheduler(two).nextDueOverall())!;
      // r1 renews 30 s before the next point falls due, so its lease runs to 60 s after it.
      at = new Date(due.getTime() - 30_000);
      expect(await r1.tick()).toEqual({ acted: [], messages: 0 });
      at = due;
      expect(await r2.tick()).toEqual({ acted: [], messages: 0 });
      at = new Date(due.getTime() + 59_999);
      expect(await r2.tick()).toEqual({ acted: [], messages: 0 });
      expect(await golive()).toHaveLength(1);

      // r1 has stopped renewing: at the end of its lease r2 takes over, and acts on what is due.
      at = new Date(due.getTime() + 60_000);
      const report = await r2.tick();
      expect(report.acted.length).toBeGreaterThan(0);
      expect((await golive()).slice(1)).toEqual(report.acted.map((id) => `${id} ${at.toISOString()}`));
      // r1 coming back finds r2 holding it.
      at = new Date(due.getTime() + 61_000);
      expect(await r1.tick()).toEqual({ acted: [], messages: 0 });
      expect(await one.lease('schedule', 'r1', at, 90_000)).toBe(false);
      // r2 stopping cleanly hands the lease over at once, rather than leaving it to run out.
      await r2.close();
      open.splice(open.indexOf(r2), 1);
      expect(await one.lease('schedule', 'r1', new Date(at.getTime() + 1), 90_000)).toBe(true);
      expect(logs.filter((line) => /schedule|tick/.test(line))).toEqual([]);
    } finally {
      for (const serving of open) await serving.close();
    }
  }, 120_000);
});
