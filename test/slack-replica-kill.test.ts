import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { freePort, killGroup, startGolive, type Started } from './support/golive-process.js';
import { forEachTarget, serverTarget, TEST_DATABASE_URL, type TestSchema, urlForSchema } from './support/postgres.js';
import { SECRET, SlackReplica } from './support/slack-replica.js';
import { slashCommand } from './support/slack-requests.js';
import { TestClock } from './support/test-clock.js';

// Replica A is golive as an operator runs it (its own process, DATABASE_URL, Slack over HTTP),
// killed with SIGKILL after it acknowledged a request and while its write waited for the release's
// row. Replica B, in this process on the same schema, handles the request once A's lease ends.
// A real server only: PGlite is one process's database.

const CHANNEL = 'C0RELEASE';
const DAN = 'UDAN';
const R = 'small';

forEachTarget(
  'a replica killed with SIGKILL between its acknowledgement and its answer',
  (target) => {
    let schema: TestSchema;
    let fake: FakeSlack;
    let dir: string;
    let a: Started | undefined;
    let b: SlackReplica | undefined;
    let admin: pg.Client;

    beforeEach(async () => {
      schema = await target.schema();
      fake = await startFakeSlack();
      dir = await mkdtemp(join(tmpdir(), 'golive-replica-a-'));
      admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
    });

    afterEach(async () => {
      killGroup(a);
      await a?.exited;
      await admin.end();
      await b?.close();
      await fake.close();
      await schema.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('leaves the request to the other replica, which handles it once the lease ends, once, and tells the person', async () => {
      // B's clock starts before A's (the system clock), so nothing B writes is dated before what A may write.
      const clock = new TestClock(new Date(Date.now() - 10 * 60_000).toISOString());
      b = await SlackReplica.open('replica-b', schema, fake, clock);
      expect(await b.command('URITA', `create "Small" 2099-06-17 --id ${R}`, CHANNEL)).toBe(200);
      expect(await b.command('URITA', `role DCC <@${DAN}>`, CHANNEL)).toBe(200);

      const port = await freePort();
      a = startGolive(
        { DATABASE_URL: urlForSchema(schema.name), GOLIVE_DATA_DIR: dir, SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, PORT: String(port) },
        { direct: true },
      );
      await a.printed('golive listening');

      // The release's row locked, so A's write waits for it once A has acknowledged the request.
      await admin.query('BEGIN');
      await admin.query(`SELECT id FROM ${schema.name}.releases WHERE id = $1 FOR UPDATE`, [R]);
      const locker = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const response = await slashCommand(`http://127.0.0.1:${port}`, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-killed' });
      expect(response.status).toBe(200);
      await vi.waitFor(
        async () => {
          const waiting = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [locker]);
          expect(waiting.rows[0]!.n).toBe(1);
        },
        { timeout: 15_000, interval: 20 },
      );
      process.kill(-a.child.pid!, 'SIGKILL');
      await a.exited;
      await admin.query('ROLLBACK');

      // A's own row: held by A's process (host/pid/random), not done.
      const waiting = await schema.sql<{ holder: string; lease_until: Date; done_at: Date | null }>(`SELECT holder, lease_until, done_at FROM inbox WHERE id = 'T-killed'`);
      expect(waiting).toEqual([{ holder: `${hostname()}:${a.child.pid}:${waiting[0]?.holder.split(':')[2]}`, lease_until: expect.any(Date), done_at: null }]);
      expect(waiting[0]!.holder).toMatch(/:[0-9a-f]{12}$/);
      const audit = async () => (await b!.store.audit(R)).filter((entry) => entry.request === 'T-killed');
      expect(await audit()).toEqual([]);

      // A leased it on the system clock; B's clock is moved to the lease's end instead of waiting for it.
      const end = waiting[0]!.lease_until.getTime();
      clock.set(new Date(end - 1000).toISOString());
      expect(await b.serving.recover()).toBe(0);
      clock.set(new Date(end).toISOString());
      expect(await b.serving.recover()).toBe(1);

      expect(await audit()).toEqual([expect.objectContaining({ outcome: 'applied', command: '/release confirm code-ready met' })]);
      const told = fake
        .callsTo('chat.postMessage')
        .filter((call) => call.body.channel === DAN)
        .map((call) => JSON.stringify(call.body.blocks))
        .filter((text) => text.includes('golive was interrupted before it answered'));
      expect(told).toEqual([expect.stringContaining('Recorded: criterion 1 (code-ready) *met*.')]);
      expect(fake.callsTo('chat.postEphemeral').filter((call) => call.body.user === DAN)).toEqual([]);
      expect(await schema.sql(`SELECT holder, outcome FROM inbox WHERE id = 'T-killed'`)).toEqual([{ holder: 'replica-b', outcome: 'Answer recorded: Recorded: criterion 1 (code-ready) met.' }]);
      expect(verifyChain(await b.store.audit(R)).ok).toBe(true);
    }, 60_000);
  },
  [serverTarget],
);
