import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

// golive as an operator runs it, in its own process group so a test can kill all of it at once.
const root = new URL('../..', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves when stderr has printed `text`; rejects if the process ends first. */
  printed: (text: string) => Promise<void>;
}

/**
 * `npm start` runs `node scripts/start.mjs` (the compiled golive, built first if the sources
 * changed); `direct` runs that node process itself, as a process manager signals golive, not npm
 * (npm exits at once on a signal sent to it alone and would leave golive running).
 */
export function startGolive(env: Record<string, string>, options: { direct?: boolean } = {}): Started {
  const [command, args] = options.direct ? [process.execPath, ['scripts/start.mjs']] : ['npm', ['start', '--silent']];
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

/** Kills the whole process group, so nothing npm or tsx started outlives the test. */
export function killGroup(started: Started | undefined): void {
  try {
    if (started?.child.pid) process.kill(-started.child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
