import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { recordVerifier } from '../src/app/record-check.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { writeCopies } from './seeded-store.js';
import { seedVariants } from './seed-variants.js';

const RELEASES = 1_000;
const KEY = 'bench-key-0123456789abcdef0123456789abcdef';

/**
 * Start-up checks every record (chain, time order, sealed state) before serving: what that costs
 * with 1,000 releases from both templates (copies of seed-variants.ts's, made through the app), keyed and not, in process and for
 * the whole process (`node scripts/start.mjs`, as `npm start` runs it: the compiled code, built beforehand).
 */
export async function benchStartupVerify(): Promise<void> {
  const templates = (await seedVariants()).map((variant) => variant.doc);
  const entries = templates.map((doc) => doc.audit.length);
  console.log(`start-up: open a store of ${RELEASES} releases of ${Math.min(...entries)} to ${Math.max(...entries)} audit entries each, both templates, verifying every record`);
  for (const key of [undefined, KEY]) {
    const root = await mkdtemp(join(tmpdir(), 'golive-bench-start-'));
    try {
      await writeCopies(root, templates, RELEASES, key);
      // The copies are version-1 documents: the first open converts them to the append-only
      // layout golive keeps, which is not what a start costs, so it is done before the timing.
      await (await openLowdbStore(root)).close();
      const plainStarted = performance.now();
      const plain = await openLowdbStore(root);
      const plainMs = performance.now() - plainStarted;
      await plain.close();
      const started = performance.now();
      let quarantined = 0;
      const store = await openLowdbStore(root, { verify: recordVerifier(key ? { key } : {}), log: () => void (quarantined += 1) });
      const verifiedMs = performance.now() - started;
      await store.close();
      // The first start may catch up a schedule point that fell due since seeding; the second has none.
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
