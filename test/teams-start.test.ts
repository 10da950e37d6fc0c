import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeConnector, type FakeConnector } from './support/fake-connector.js';
import { freePort, killGroup, startGolive, type Started } from './support/golive-process.js';
import { teamsActivities } from './support/teams-activities.js';
import { post } from './support/teams-harness.js';
import { messageText } from './support/teams-cards-read.js';

// golive started as an operator starts it, with Teams settings: main.ts builds the Teams adapter
// from them and serve() mounts it at POST /api/messages on the one port.

const RITA = { id: '29:1rita-reyes', name: 'Rita Reyes' };

describe('npm start with Teams', () => {
  let dir: string | undefined;
  let running: Started | undefined;
  let fake: FakeConnector | undefined;
  afterEach(async () => {
    killGroup(running);
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('TEAMS_LOCAL=1: says it is anonymous and loopback only, answers a message, keeps the reference, stops cleanly', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-teams-start-'));
    fake = await startFakeConnector();
    const port = await freePort();
    running = startGolive({ GOLIVE_DATA_DIR: dir, PORT: String(port), TEAMS_LOCAL: '1' }, { direct: true });
    await running.printed(`golive listening on port ${port}: Teams at POST /api/messages (anonymous local mode, loopback only)`);
    expect(running.stderr()).toContain('Teams: anonymous local mode (Agents Playground), loopback requests only');

    const chat = fake.personalChatOf(RITA.id);
    const sent = await post(`http://127.0.0.1:${port}/api/messages`, JSON.stringify(teamsActivities(fake.serviceUrl).message(RITA, 'release help', { kind: 'personal', id: chat })), {});
    expect(sent.status).toBe(200);
    await vi.waitFor(() => expect(fake!.messagesIn(chat)).toHaveLength(1), { timeout: 20_000, interval: 20 });
    expect(messageText(fake.messagesIn(chat)[0])).toContain('go-live checklist here');
    const stored = JSON.parse(await readFile(join(dir, 'teams-conversations.json'), 'utf8')) as { conversations: Array<{ id: string }> };
    expect(stored.conversations.map((c) => c.id)).toEqual([chat]);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 60_000);

  it('with an app id: a request without the Bot Service token is refused with 401', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-teams-start-'));
    fake = await startFakeConnector();
    const port = await freePort();
    running = startGolive(
      { GOLIVE_DATA_DIR: dir, PORT: String(port), MICROSOFT_APP_ID: '3c5d2f1a-8b7e-4d6c-9a0b-1e2f3a4b5c6d', MICROSOFT_APP_PASSWORD: 'not-a-real-secret', MICROSOFT_APP_TYPE: 'MultiTenant' },
      { direct: true },
    );
    await running.printed(`golive listening on port ${port}: Teams at POST /api/messages,`);
    expect(running.stderr()).not.toContain('anonymous local mode');
    const activity = teamsActivities(fake.serviceUrl).message(RITA, 'release help', { kind: 'personal', id: fake.personalChatOf(RITA.id) });
    expect((await post(`http://127.0.0.1:${port}/api/messages`, JSON.stringify(activity), {})).status).toBe(401);
    expect((await post(`http://127.0.0.1:${port}/api/messages`, JSON.stringify(activity), { authorization: 'Bearer not.a.token' })).status).toBe(401);
    expect(fake.calls).toEqual([]);
  }, 60_000);
});
