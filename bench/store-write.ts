import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Commit, StoredRelease } from '../src/app/store-port.js';
import { sealEntry, stateHashOf } from '../src/domain/audit.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { minimalReleaseDocument } from '../test/fixtures/release-doc.js';

const STORE_SIZES = [10, 100, 1000];
const WARM_UP = 10;
const SAMPLES = 100;

/**
 * Times one durable `transact` (a new state and its audit entry) in stores of growing size. Each release is its own file, so the
 * mean and p95 should stay flat as the number of releases grows; only opening grows with it.
 */
export async function benchStoreWrites(): Promise<void> {
  console.log(`store: ${SAMPLES} sequential transactions on one release (fsync on), per store size`);
  for (const size of STORE_SIZES) {
    const root = await mkdtemp(join(tmpdir(), 'golive-bench-store-'));
    try {
      await seed(root, size);
      const openedAt = performance.now();
      const store = await openLowdbStore(root);
      const openMs = performance.now() - openedAt;
      const target = `rel-${Math.floor(size / 2)}`;
      const times: number[] = [];
      for (let n = 0; n < WARM_UP + SAMPLES; n++) {
        const started = performance.now();
        await store.transact(target, bump);
        if (n >= WARM_UP) times.push(performance.now() - started);
      }
      await store.close();
      const heap = heapUsedMb();
      console.log(`  ${String(size).padStart(5)} releases: transact mean ${ms(mean(times))}, p95 ${ms(percentile(times, 0.95))}; open ${ms(openMs)}; heap used ${heap.toFixed(1)} MB`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}

// Plain writes (no fsync) so setting up 1000 releases is quick; the store reads them as its own.
async function seed(root: string, size: number): Promise<void> {
  await mkdir(join(root, 'releases'), { recursive: true });
  const releases = [];
  for (let n = 0; n < size; n++) {
    const doc = minimalReleaseDocument(`rel-${n}`);
    await writeFile(join(root, 'releases', `rel-${n}.json`), JSON.stringify(doc, null, 2));
    releases.push({ id: doc.release.id, name: doc.release.name, channels: doc.release.channels });
  }
  await writeFile(join(root, 'index.json'), JSON.stringify({ version: 1, releases }, null, 2));
}

function bump(current: StoredRelease): Commit<void> {
  const at = '2019-11-08T09:00:00.000Z';
  const release = structuredClone(current.release);
  const count = (release.facts.testingIssues?.count ?? 0) + 1;
  release.facts.testingIssues = { count, threshold: 10, setAt: at, setBy: 'slack:U-bench', changedAt: at };
  const entry = sealEntry(current.head ? [current.head] : [], { at, actor: { id: 'slack:U-bench', platform: 'slack' }, command: 'bench', outcome: 'applied', stateHash: stateHashOf(release) });
  return { release, append: [entry], result: undefined };
}

function heapUsedMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}
