import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReleaseDocument } from '../store/release-document.js';
import { ANSWER_FORM } from '../src/app/language/action-ids.js';
import type { Received } from '../src/app/inbox.js';
import { verifyChain } from '../src/domain/audit.js';
import { INBOX_FILE } from '../store/inbox-file.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { Harness } from './support/golive.js';
import { freePort, killGroup, startGolive, type Started } from './support/golive-process.js';
import { blockAction, slashCommand, viewSubmission, type SlackResponse } from './support/slack-requests.js';
import { readRaw } from './support/release-on-disk.js';

// golive as its own process, killed with SIGKILL in the middle of a burst of slash commands,
// button presses and form submissions, then started again on the same data folder.
const SECRET = 'abcdef0123456789abcdef0123456789';
const CHANNEL = 'C0CRASH';
const R = 'crash';
const DAN = 'UDAN';
const MEMBERS = Array.from({ length: 30 }, (_, n) => `UMEMBER${n}`);

interface Sent {
  id: string;
  user: string;
  send: () => Promise<SlackResponse>;
}

describe('a kill -9 in the middle of a burst', () => {
  let fake: FakeSlack;
  let dir: string;
  let running: Started | undefined;
  beforeEach(async () => {
    fake = await startFakeSlack();
    dir = await mkdtemp(join(tmpdir(), 'golive-crash-'));
  });
  afterEach(async () => {
    killGroup(running);
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies every acknowledged request exactly once after the restart, tells each person, and keeps the chain whole', async () => {
    // The release, its owner and a review group, set up through the console on the same folder: the Slack people named as such.
    const setup = await Harness.open('2019-11-07T09:00:00Z', dir);
    const script = [`/release create "Crash" 2019-11-29 --id ${R}`, `/release role DCC @slack:${DAN}`, `/release group opsg members ${MEMBERS.map((m) => `@slack:${m}`).join(' ')} --quorum 1`].join(
      '\n',
    );
    expect((await setup.run(`${script}\n`, 'URITA')).status).toBe(0);
    await setup.close(false);

    const env = { GOLIVE_DATA_DIR: dir, SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url };
    const port = await freePort();
    running = startGolive({ ...env, PORT: String(port) }, { direct: true });
    await running.printed('golive listening');
    const url = `http://127.0.0.1:${port}`;

    const requests: Sent[] = [];
    for (let n = 0; n < 50; n++) {
      requests.push({
        id: `T-cmd-${n}`,
        user: DAN,
        send: () => slashCommand(url, SECRET, { text: `confirm code-ready not-met "command ${n}" --release ${R}`, userId: DAN, channelId: CHANNEL, triggerId: `T-cmd-${n}` }),
      });
      if (n < MEMBERS.length) {
        const member = MEMBERS[n]!;
        requests.push({
          id: `T-click-${n}`,
          user: member,
          send: () => blockAction(url, SECRET, { userId: member, channelId: CHANNEL, actionId: 'golive:signoff:agree', value: JSON.stringify({ r: R, g: 'opsg' }), triggerId: `T-click-${n}` }),
        });
      }
      for (const k of [2 * n, 2 * n + 1]) {
        if (k >= 70) continue;
        const metadata = JSON.stringify({ m: JSON.stringify({ r: R, c: 'ops-ready', a: 'not-met' }), ch: CHANNEL });
        requests.push({
          id: `T-form-${k}`,
          user: DAN,
          send: () =>
            viewSubmission(url, SECRET, {
              userId: DAN,
              callbackId: ANSWER_FORM,
              privateMetadata: metadata,
              values: { evidence: { evidence: '' }, comment: { comment: `form ${k}` } },
              triggerId: `T-form-${k}`,
            }),
        });
      }
    }
    expect(requests).toHaveLength(150);

    const acknowledged = new Set<string>();
    const send = (wave: Sent[]) =>
      wave.map((r) =>
        r.send().then(
          (response) => void (response.status === 200 && acknowledged.add(r.id)),
          () => undefined, // cut off by the kill: never acknowledged
        ),
      );
    // Killed while the first wave is being handled (some answered, some written and not answered)
    // and the second is still arriving (some never acknowledged).
    const first = send(requests.slice(0, 100));
    await vi.waitFor(() => expect(fake.callsTo('chat.postEphemeral').length).toBeGreaterThanOrEqual(10), { timeout: 30_000, interval: 2 });
    const second = send(requests.slice(100));
    await vi.waitFor(() => expect(acknowledged.size).toBeGreaterThanOrEqual(110), { timeout: 30_000, interval: 1 });
    process.kill(-running.child.pid!, 'SIGKILL');
    await running.exited;
    await Promise.all([...first, ...second]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(110);

    // What the crash left in the inbox: acknowledged (or at least written) and not yet handled.
    const text = await readFile(join(dir, INBOX_FILE), 'utf8');
    const records = text
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as Received | { type: 'done'; id: string });
    const done = new Set(records.filter((r) => r.type === 'done').map((r) => r.id));
    const left = records.filter((r): r is Received => r.type === 'received' && !done.has(r.id) && r.id.startsWith('T-'));
    for (const id of acknowledged)
      expect(
        records.some((r) => r.type === 'received' && r.id === id),
        `${id} acknowledged but not in the inbox`,
      ).toBe(true);
    expect(left.length).toBeGreaterThan(0);

    const calls = fake.calls.length;
    running = startGolive({ ...env, PORT: String(await freePort()) }, { direct: true });
    await running.printed('golive listening'); // the inbox is worked off before golive takes requests again
    running.child.kill('SIGTERM');
    await running.exited;
    running = undefined;

    const doc = ReleaseDocument.parse(await readRaw(dir, R));
    expect(verifyChain(doc.audit).ok).toBe(true);
    const applied = (id: string) => doc.audit.filter((e) => e.request === id).length;
    for (const id of acknowledged) expect(applied(id), `${id} was acknowledged`).toBe(1);
    for (const r of requests) expect(applied(r.id), r.id).toBeLessThanOrEqual(1);
    // Every click and form from the burst that was acknowledged or recovered shows in the release itself.
    const answers = doc.release.criteria.find((c) => c.id === 'ops-ready')!.responses.map((r) => r.comment);
    for (const id of acknowledged) if (id.startsWith('T-form-')) expect(answers).toContain(`form ${id.slice('T-form-'.length)}`);

    // Each person whose request was handled only after the restart got a direct message saying so.
    const told = fake.calls.slice(calls).filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.body.blocks ?? '').includes('golive was interrupted before it answered your'));
    const byUser = (list: Array<{ user: string }>) => list.reduce((m, x) => m.set(x.user, (m.get(x.user) ?? 0) + 1), new Map<string, number>());
    expect(byUser(told.map((c) => ({ user: String(c.body.channel) })))).toEqual(byUser(left.map((e) => ({ user: e.reply.user }))));
    for (const entry of left) expect(applied(entry.id), `${entry.id} was left in the inbox`).toBe(1);

    const after = (await readFile(join(dir, INBOX_FILE), 'utf8'))
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as { type: string; id: string });
    const finished = new Set(after.filter((r) => r.type === 'done').map((r) => r.id));
    expect(left.filter((e) => !finished.has(e.id))).toEqual([]);
  }, 90_000);
});
