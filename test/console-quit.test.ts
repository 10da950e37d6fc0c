import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// /quit and Ctrl-D end the console while its input is still open: in a real pseudo-terminal
// (util-linux `script`) and with a pipe nobody closes. Nothing here waits for a fixed time:
// input is typed once the console has printed what it answers to, and the test waits for the exit.
const root = new URL('..', import.meta.url).pathname;
const hasScript = spawnSync('script', ['--version']).status === 0;

interface Session {
  output: () => string;
  type: (text: string) => void;
  waitFor: (text: string) => Promise<void>;
  exited: Promise<number | null>;
  kill: () => void;
}

function open(command: string, args: string[], env: Record<string, string>): Session {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiting]) if (output.includes(w.text)) waiting.splice(waiting.indexOf(w), 1), w.resolve();
  };
  child.stdout.on('data', (d) => ((output += String(d)), check()));
  child.stderr.on('data', (d) => ((output += String(d)), check()));
  return {
    output: () => output,
    type: (text) => void child.stdin.write(text),
    waitFor: (text) => new Promise((resolve) => (waiting.push({ text, resolve }), check())),
    exited: new Promise((resolve) => child.on('close', resolve)),
    kill: () => child.kill('SIGKILL'),
  };
}

describe('leaving the console', () => {
  let dir: string;
  let session: Session | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-quit-'));
  });
  afterEach(async () => {
    session?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  const terminal = () => open('script', ['-qfec', 'npm start --silent', '/dev/null'], { GOLIVE_DATA_DIR: dir, GOLIVE_CONSOLE_USER: 'rita' });

  it.skipIf(!hasScript)(
    'ends at once on /quit in a real terminal, stdin still open',
    async () => {
      session = terminal();
      await session.waitFor('rita in #general> ');
      session.type('/release list\r');
      await session.waitFor('No releases yet');
      session.type('/quit\r');
      expect(await session.exited).toBe(0);
      expect(session.output()).toContain('golive console: you are @rita');
    },
    60_000,
  );

  it.skipIf(!hasScript)(
    'ends at once on Ctrl-D in a real terminal',
    async () => {
      session = terminal();
      await session.waitFor('rita in #general> ');
      session.type('\x04');
      expect(await session.exited).toBe(0);
    },
    60_000,
  );

  it('ends on /quit with piped input left open', async () => {
    session = open(process.execPath, ['scripts/start.mjs'], { GOLIVE_DATA_DIR: dir, GOLIVE_CONSOLE_USER: 'rita' });
    session.type('/release list\n');
    await session.waitFor('No releases yet');
    session.type('/quit\n');
    expect(await session.exited).toBe(0);
    expect(session.output()).toContain('rita in #general> /quit');
  }, 60_000);
});
