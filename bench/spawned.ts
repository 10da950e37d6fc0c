import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

// A server process for the platform benchmarks (golive compiled, or a bare SDK app), with what it
// printed kept so a failure can say why.

export interface Spawned {
  child: ChildProcess;
  /** performance.now() when it was spawned. */
  startedAt: number;
  output(): string;
  /** Resolves with performance.now() when stdout or stderr has printed `text`; rejects if it exits first. */
  printed(text: string): Promise<number>;
  /** Resolves with the exit code when it ends of its own accord. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const root = new URL('..', import.meta.url).pathname;

/** `node <args>` with `env` added, or another command (`script`, for a terminal). */
export function spawnServer(args: string[], env: Record<string, string>, other?: { command: string; args: string[]; env: Record<string, string> }): Spawned {
  const startedAt = performance.now();
  const child = other
    ? spawn(other.command, other.args, { cwd: root, env: { ...process.env, ...other.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const waiting: Array<{ text: string; resolve: (at: number) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const take = (chunk: Buffer) => {
    output += String(chunk);
    const at = performance.now();
    for (const wait of [...waiting]) {
      if (!output.includes(wait.text)) continue;
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve(at);
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return {
    child,
    startedAt,
    output: () => output,
    exited,
    printed: (text) =>
      new Promise((resolve, reject) => {
        if (output.includes(text)) return resolve(performance.now());
        waiting.push({ text, resolve });
        void exited.then((code) => reject(new Error(`${other ? other.args.join(' ') : args.join(' ')} exited (${code}) before printing "${text}":\n${output}`)));
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
