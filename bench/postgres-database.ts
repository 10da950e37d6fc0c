import { spawn } from 'node:child_process';
import { admin, BENCH_DATABASE_URL } from './postgres-bench-store.js';

// A database of its own for one run of the platform benchmarks on PostgreSQL: golive (compiled,
// as `npm start` runs it) is pointed at it with DATABASE_URL, so it cannot share a schema with
// anything else; dropped afterwards, whatever golive left connected to it.

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

const root = new URL('..', import.meta.url).pathname;
let made = 0;

/** A new, empty database on the bench server, named for this process and run. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `golive_bench_${process.pid}_${Date.now().toString(36)}_${made++}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(BENCH_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Copies the JSON folder into the database as an operator would, `npm run migrate -- --to <url>`
 * (every chain verified on both sides); resolves with how long it took, in milliseconds.
 */
export async function migrateInto(dataDir: string, url: string): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', 'migrate', '--', '--to', url], { cwd: root, env: { ...process.env, GOLIVE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => void (output += String(chunk)));
  // One line a release on stderr: keep only the end, for an error message.
  child.stderr.on('data', (chunk) => void (output = (output + String(chunk)).slice(-20_000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`npm run migrate -- --to ${url} exited ${code}:\n${output}`);
  return performance.now() - started;
}
