import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { freePort, killGroup, startGolive, type Started } from './support/golive-process.js';

// `npm start` with Slack settings, as the README has an operator run it, against the fake Web API.

describe('npm start with Slack configured', () => {
  let fake: FakeSlack;
  let dir: string;
  let running: Started | undefined;
  beforeEach(async () => {
    fake = await startFakeSlack();
    dir = await mkdtemp(join(tmpdir(), 'golive-start-'));
  });
  afterEach(async () => {
    killGroup(running);
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves /healthz and Slack on PORT, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    running = startGolive({ GOLIVE_DATA_DIR: dir, PORT: String(port), SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef', SLACK_API_URL: fake.url }, { direct: true });
    await running.printed('golive listening');
    expect(running.stderr()).toContain(`port ${port}: Slack at POST /slack/events`);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(fake.callsTo('auth.test')).toHaveLength(1);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 60_000);

  it('refuses to start when Slack does not accept the bot token, naming it', async () => {
    fake.failNext('auth.test', { error: 'invalid_auth' });
    running = startGolive({ GOLIVE_DATA_DIR: dir, PORT: String(await freePort()), SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef', SLACK_API_URL: fake.url });
    expect(await running.exited).toBe(2);
    expect(running.stderr()).toContain('golive cannot start. Slack did not accept the bot token (SLACK_BOT_TOKEN)');
    // The store was open by then: it must not leave the folder locked for the next start.
    expect(await readdir(dir)).not.toContain('golive.lock');
  }, 60_000);
});
