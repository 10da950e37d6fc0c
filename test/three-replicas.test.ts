import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { freePort, killGroup, startGolive, type Started } from './support/golive-process.js';
import { forEachTarget, serverTarget, TEST_DATABASE_URL, type TestSchema, urlForSchema } from './support/postgres.js';
import { slashCommand } from './support/slack-requests.js';

// Three golives as an operator runs them (each its own process, Slack over HTTP, one PostgreSQL
// schema), a thousand answers sent to them at random as signed slash commands, and one of them
// killed with SIGKILL in the middle. Whatever a replica acknowledged is recorded exactly once
// (the dead one's by another, once its lease ends), every chain verifies, and every message golive
// decided to post reached Slack exactly once. A real server only: PGlite is one process's database.

const SECRET = '8f742231b10e8888abcd990a1b2c85a5';
const CHANNEL = 'C0REPLICAS';
const RITA = 'URITA';
const DAN = 'UDAN';
const SAM = 'USAM';
const R = 'rep';
const ANSWERS = 1000;
const CONCURRENT = 8;
const KILL_AT = Math.floor(ANSWERS / 3);
// Criteria of the sec-release template and who owns them once the roles are given.
const OWNED: ReadonlyArray<readonly [string, string]> = [
  ['code-ready', DAN],
  ['test-phases-closed', DAN],
  ['no-sev1-sev2', DAN],
  ['defect-plans', DAN],
  ['environments-aligned', DAN],
  ['ops-ready', DAN],
  ['secas-ready', SAM],
];

interface Replica {
  name: string;
  port: number;
  dir: string;
  process: Started;
}

forEachTarget(
  'three replicas on one database, one killed with SIGKILL mid-run',
  (target) => {
    let schema: TestSchema;
    let fake: FakeSlack;
    const replicas: Replica[] = [];

    beforeAll(async () => {
      schema = await target.schema();
      fake = await startFakeSlack();
    });

    afterAll(async () => {
      for (const replica of replicas) killGroup(replica.process);
      await Promise.all(replicas.map((replica) => replica.process.exited));
      await Promise.all(replicas.map((replica) => rm(replica.dir, { recursive: true, force: true })));
      await fake.close();
      await schema.drop();
    });

    async function start(name: string): Promise<Replica> {
      const port = await freePort();
      const dir = await mkdtemp(join(tmpdir(), `golive-${name}-`));
      const env = {
        DATABASE_URL: urlForSchema(schema.name),
        GOLIVE_DATA_DIR: dir,
        SLACK_BOT_TOKEN: 'xoxb-1-2',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.url,
        PORT: String(port),
      };
      const replica = { name, port, dir, process: startGolive(env, { direct: true }) };
      replicas.push(replica);
      await replica.process.printed('golive listening');
      return replica;
    }

    const base = (replica: Replica) => `http://127.0.0.1:${replica.port}`;

    /** The requests each replica was sent (it may have kept one it died before acknowledging). */
    const sentTo = new Map<Replica, Set<string>>();
    const tried = (replica: Replica, triggerId: string) => sentTo.set(replica, (sentTo.get(replica) ?? new Set()).add(triggerId));

    /** Sends one signed command to `first`, and as Slack retries one that got no answer, to the other replicas. */
    async function send(first: Replica, user: string, text: string, triggerId: string): Promise<boolean> {
      const order = [first, ...replicas.filter((replica) => replica !== first)];
      for (const replica of order) {
        tried(replica, triggerId);
        try {
          const response = await slashCommand(base(replica), SECRET, { text, userId: user, channelId: CHANNEL, triggerId });
          if (response.status === 200) return true;
        } catch {
          // Connection refused or reset: that replica is gone; Slack tries again, and reaches another.
        }
      }
      return false;
    }

    /**
     * The victim acknowledges an answer it cannot record yet (the release's row is held), and is
     * killed with SIGKILL while the other replicas go on answering: the answer is in the inbox,
     * received and not done, held by the dead replica's lease.
     */
    async function killMidAnswer(victim: Replica, user: string, text: string, triggerId: string): Promise<void> {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query('BEGIN');
        await admin.query(`SELECT id FROM ${schema.name}.releases WHERE id = $1 FOR UPDATE`, [R]);
        const response = await slashCommand(base(victim), SECRET, { text, userId: user, channelId: CHANNEL, triggerId });
        tried(victim, triggerId);
        expect(response.status).toBe(200);
        process.kill(-victim.process.child.pid!, 'SIGKILL');
        await victim.process.exited;
      } finally {
        await admin.query('ROLLBACK');
        await admin.end();
      }
    }

    const audit = () => schema.sql<{ seq: number; request_id: string | null; entry: AuditEntry }>('SELECT seq, request_id, entry FROM audit WHERE release_id = $1 ORDER BY seq', [R]);

    it('records each acknowledged answer once, keeps one chain, and posts each message once', async () => {
      const one = await start('replica-1');
      const setup = [`create "Replica drill" 2099-06-17 --template sec-release --id ${R}`, `role DCC <@${DAN}>`, `role SECAS <@${SAM}>`, 'ask'];
      // Each step waits for the one before to be recorded, as its author waits for golive's reply:
      // a request is acknowledged first and handled after, so two sent at once may land in any order.
      for (const [n, text] of setup.entries()) {
        expect(await send(one, RITA, text, `setup-${n}`)).toBe(true);
        await vi.waitFor(async () => expect((await audit()).map((row) => row.request_id)).toContain(`setup-${n}`), { timeout: 10_000, interval: 50 });
      }
      // The other two start together on a release with something due: their start-up ticks race for it.
      await Promise.all([start('replica-2'), start('replica-3')]);

      const acknowledged: string[] = [];
      let next = 0;
      let killedAt: number | undefined;
      const victim = replicas[1]!;
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= ANSWERS) return;
          const [criterion, owner] = OWNED[i % OWNED.length]!;
          if (i === KILL_AT) {
            killedAt = i;
            await killMidAnswer(victim, owner, `confirm ${criterion} met "checked in run ${i}"`, `answer-${i}`);
            acknowledged.push(`answer-${i}`);
            continue;
          }
          const kind = i % 5 === 0 ? `not-met "blocked by run ${i}"` : `met "checked in run ${i}"`;
          // Sent to any of the three at random, the dead one included: it refuses the connection and Slack tries another.
          const first = replicas[Math.floor(Math.random() * replicas.length)]!;
          const trigger = `answer-${i}`;
          if (await send(first, owner, `confirm ${criterion} ${kind}`, trigger)) acknowledged.push(trigger);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENT }, worker));
      await victim.process.exited;
      expect(killedAt).toBeDefined();
      expect(acknowledged).toHaveLength(ANSWERS);

      // What the dead replica acknowledged and had not recorded is taken over once its leases end
      // (30 s for a request in the inbox, 60 s for messages it was delivering), as in production.
      await vi.waitFor(
        async () => {
          const requests = new Set((await audit()).map((row) => row.request_id));
          expect(acknowledged.filter((id) => !requests.has(id))).toEqual([]);
        },
        { timeout: 150_000, interval: 500 },
      );
      await vi.waitFor(
        async () => {
          expect(await schema.sql(`SELECT id, status FROM outbox WHERE release_id = $1 AND status = 'pending'`, [R])).toEqual([]);
          expect(await schema.sql('SELECT id FROM inbox WHERE done_at IS NULL')).toEqual([]);
        },
        { timeout: 150_000, interval: 500 },
      );

      const rows = await audit();
      const perRequest = new Map<string, number>();
      for (const row of rows) if (row.request_id) perRequest.set(row.request_id, (perRequest.get(row.request_id) ?? 0) + 1);
      expect([...perRequest].filter(([, count]) => count > 1)).toEqual([]);
      for (const id of acknowledged) expect(perRequest.get(id), id).toBe(1);
      expect(verifyChain(rows.map((row) => row.entry)).ok).toBe(true);
      expect(rows.map((row) => row.seq)).toEqual(rows.map((_, at) => at + 1));

      // Every message the outbox posted carries its key (replies to a request do not: they are
      // not in the outbox): none reached Slack twice, and every one recorded as sent is there.
      const posts = fake.callsTo('chat.postMessage').filter((call) => !call.failed);
      const keys = posts.flatMap((call) => keyOf(call.body.metadata) ?? []);
      const twice = keys.filter((key, at) => keys.indexOf(key) !== at);
      expect(twice).toEqual([]);
      const sent = await schema.sql<{ id: string; kind: string }>(
        `SELECT id, message->>'kind' AS kind FROM outbox WHERE release_id = $1 AND status = 'sent' AND message->>'kind' <> 'checklist-update'`,
        [R],
      );
      expect(sent.length).toBeGreaterThan(0);
      for (const { id } of sent)
        expect(
          keys.filter((key) => key?.endsWith(id)),
          id,
        ).toHaveLength(1);
      // The answer the victim acknowledged was recorded by another, and its author told so.
      const victimPid = victim.process.child.pid!;
      const [taken] = await schema.sql<{ holder: string; outcome: string }>('SELECT holder, outcome FROM inbox WHERE id = $1', [`answer-${KILL_AT}`]);
      expect(taken?.holder).not.toContain(`:${victimPid}:`);
      expect(taken?.holder).toMatch(/:\d+:[0-9a-f]{12}$/);
      expect(taken?.outcome).toContain('Answer recorded');
      // It was not alone: the victim had taken others it had not answered yet (acknowledged, or
      // kept and killed before its acknowledgement, then acknowledged as a retry by another). Each
      // of those authors is told once; nobody whose request only a live replica took is.
      const told = posts
        .filter((call) => [DAN, SAM].includes(String(call.body.channel)))
        .map((call) => JSON.stringify(call.body.blocks))
        .filter((text) => text.includes('golive was interrupted before it answered'))
        .map((text) => `answer-${/ run (\d+)/.exec(text)?.[1]}`);
      expect(told).toContain(`answer-${KILL_AT}`);
      expect(told.filter((id, at) => told.indexOf(id) !== at)).toEqual([]);
      expect(told.filter((id) => !sentTo.get(victim)?.has(id))).toEqual([]);
      // The kickoff the replicas raced for went out once: the checklist in the channel.
      expect(sent.filter((message) => message.kind === 'checklist').length).toBeGreaterThan(0);
    }, 420_000);
  },
  [serverTarget],
);

function keyOf(metadata: unknown): string | undefined {
  const parsed = typeof metadata === 'string' ? (JSON.parse(metadata) as unknown) : metadata;
  const payload = (parsed as { event_payload?: { key?: unknown } } | undefined)?.event_payload;
  return typeof payload?.key === 'string' ? payload.key : undefined;
}
