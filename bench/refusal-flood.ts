import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import { qualify } from '../src/domain/person-id.js';
import { openLowdbStore } from '../store/lowdb-store.js';

const FLOOD = 4_000;
const SAMPLES = 50;

/**
 * A flood of refused attempts must not make the next real answer slower: one person's repeats
 * within a minute are counted, not stored, so the record grows by about one entry a minute.
 */
export async function benchRefusalFlood(): Promise<void> {
  console.log(`refusal flood: confirm cost before and after ${FLOOD} refused attempts by one person over ${FLOOD / 400} minutes`);
  const dir = await mkdtemp(join(tmpdir(), 'golive-bench-flood-'));
  try {
    const store = await openLowdbStore(dir);
    let now = Date.parse('2019-11-01T09:00:00Z');
    const app = new GoliveApp({ store, clock: { now: () => new Date(now) }, directory: noGroups });
    const run = (text: string, id: string) => app.handle({ actor: { id: qualify('console', id), platform: 'console' }, channel: { platform: 'console', id: 'flood' }, text });
    await run('/release create "Flood" 2019-11-29 --id flood', 'rita');
    await run('/release role DCC dan', 'rita');
    const confirms = async (): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        now += 1000;
        const started = performance.now();
        await run(`/release confirm ${(i % 6) + 1} met "answer ${i}"`, 'dan');
        times.push(performance.now() - started);
      }
      return times;
    };
    const before = await confirms();
    // What the flood could grow: the state file every write rewrites, and the audit log.
    const files = ['flood.state.json', 'flood.audit.jsonl'].map((name) => join(dir, 'releases', name));
    const size = async () => (await Promise.all(files.map((file) => stat(file)))).reduce((sum, file) => sum + file.size, 0);
    const sizeBefore = await size();
    for (let i = 0; i < FLOOD; i++) {
      now += 150;
      await run(`/release confirm 1 met "${'x'.repeat(3000)}"`, 'mallory');
    }
    const sizeAfter = await size();
    const after = await confirms();
    const entries = (await store.get('flood'))?.head?.seq ?? 0;
    await store.close();
    console.log(`  confirm p50 ${p(before, 0.5)} ms, p99 ${p(before, 0.99)} ms before; p50 ${p(after, 0.5)} ms, p99 ${p(after, 0.99)} ms after`);
    console.log(`  state file and audit log ${(sizeBefore / 1024).toFixed(0)} KiB before the flood, ${(sizeAfter / 1024).toFixed(0)} KiB after; ${entries} audit entries in all`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function p(values: number[], fraction: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!.toFixed(2);
}
