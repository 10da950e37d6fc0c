import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import type { ReleaseDocument } from '../store/release-document.js';
import { recordVerifier } from '../src/app/record-check.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { documentOf } from './bench-stores.js';
import { runConsole } from '../adapters/console/console-chat.js';
import { Readable, Writable } from 'node:stream';
import { writeCopies } from './seeded-store.js';

const RELEASES = 1_000;
const KEY = 'bench-key-0123456789abcdef0123456789abcdef';

/**
 * Start-up checks every record (chain, time order, sealed state) before serving: what that costs
 * with 1,000 releases each holding the seed scenario's record, keyed and not, in process and for
 * the whole process (`node scripts/start.mjs`, as `npm start` runs it: the compiled code, built beforehand).
 */
export async function benchStartupVerify(): Promise<void> {
  const template = await seedScenarioRecord();
  console.log(`start-up: open a store of ${RELEASES} releases of ${template.audit.length} audit entries each, verifying every record`);
  for (const key of [undefined, KEY]) {
    const root = await mkdtemp(join(tmpdir(), 'golive-bench-start-'));
    try {
      await writeCopies(root, template, RELEASES, key);
      const plainStarted = performance.now();
      const plain = await openLowdbStore(root);
      const plainMs = performance.now() - plainStarted;
      await plain.close();
      const started = performance.now();
      let quarantined = 0;
      const store = await openLowdbStore(root, { verify: recordVerifier(key ? { key } : {}), log: () => void (quarantined += 1) });
      const verifiedMs = performance.now() - started;
      await store.close();
      // The first start also catches up the schedules of releases dated 2019 (writes for each);
      // the second is a start with nothing to catch up.
      const firstMs = timeProcess(root, key);
      const nextMs = timeProcess(root, key);
      console.log(
        `  ${key ? 'keyed  ' : 'unkeyed'}: open and verify ${verifiedMs.toFixed(0)} ms (open without verifying ${plainMs.toFixed(0)} ms); quarantined ${quarantined}; whole process to exit on /quit: ${firstMs.toFixed(0)} ms first (catching up), ${nextMs.toFixed(0)} ms next`,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}

// The whole process as an operator starts it, with piped input that quits at once.
function timeProcess(root: string, key: string | undefined): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['scripts/start.mjs'], {
    input: '/quit\n',
    env: { ...process.env, GOLIVE_DATA_DIR: root, ...(key && { GOLIVE_AUDIT_KEY: key }) },
    encoding: 'utf8',
    // What the console prints while catching up is not what is measured.
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  if (run.status !== 0) throw new Error(`golive did not start cleanly (status ${run.status}, ${run.error?.message ?? 'no error'}): ${run.stderr}`);
  return performance.now() - started;
}

/** The record the seed scenario (examples/sec-release-2019.txt) leaves, made through the console. */
export async function seedScenarioRecord(): Promise<ReleaseDocument> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-bench-seed-'));
  try {
    const store = await openLowdbStore(dir);
    let now = Date.parse('2019-11-07T09:00:00Z');
    const app = new GoliveApp({ store, clock: { now: () => new Date((now += 60_000)) }, directory: noGroups });
    const script = await readFile('examples/sec-release-2019.txt', 'utf8');
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    await runConsole({ app, input: Readable.from([script]), output: sink, interactive: false, user: 'rita', workingDir: dir });
    const doc = await documentOf(store, 'nov-2019-sec');
    await store.close();
    if (!doc) throw new Error('the seed scenario created no release "nov-2019-sec"');
    return doc;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
