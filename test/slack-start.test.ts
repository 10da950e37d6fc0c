import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';

// `npm start` with Slack settings, as the README has an operator run it, against the fake Web API.
const root = new URL('..', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves when stderr has printed `text`; rejects if the process ends first. */
  printed: (text: string) => Promise<void>;
}

/**
 * `npm start` runs `tsx src/main.ts`; the signal test runs that node process itself, since a
 * process manager signals golive, not npm (npm exits at once and would leave it running).
 */
function start(env: Record<string, string>, direct = false): Started {
  const [command, args] = direct ? [process.execPath, ['--import', 'tsx', 'src/main.ts']] : ['npm', ['start', '--silent']];
  const child = spawn(command as string, args as string[], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!stderr.includes(text)) return;
        child.stderr!.off('data', check);
        resolve();
      };
      child.stderr!.on('data', check);
      check();
      void exited.then((code) => reject(new Error(`golive exited (${code}) before printing "${text}": ${stderr}`)));
    });
  return { child, stderr: () => stderr, exited, printed };
}

describe('npm start with Slack configured', () => {
  let fake: FakeSlack;
  let dir: string;
  let running: Started | undefined;
  beforeEach(async () => {
    fake = await startFakeSlack();
    dir = await mkdtemp(join(tmpdir(), 'golive-start-'));
  });
  afterEach(async () => {
    // The whole process group, so nothing npm started outlives the test.
    try {
      if (running?.child.pid) process.kill(-running.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves /healthz and Slack on PORT, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    running = start({ GOLIVE_DATA_DIR: dir, PORT: String(port), SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef', SLACK_API_URL: fake.url }, true);
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
    running = start({ GOLIVE_DATA_DIR: dir, PORT: String(await freePort()), SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef', SLACK_API_URL: fake.url });
    expect(await running.exited).toBe(2);
    expect(running.stderr()).toContain('golive cannot start. Slack did not accept the bot token (SLACK_BOT_TOKEN)');
    // The store was open by then: it must not leave the folder locked for the next start.
    expect(await readdir(dir)).not.toContain('golive.lock');
  }, 60_000);
});
