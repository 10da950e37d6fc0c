import { performance } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import { qualify } from '../src/domain/person-id.js';
import type { Clock } from '../src/app/clock.js';
import { evaluate } from '../src/domain/readiness.js';
import { statusView } from '../src/views/status.js';
import { checklistView } from '../src/views/checklist.js';
import { renderBlocks } from '../adapters/slack/render-blocks.js';
import { openLowdbStore } from '../store/lowdb-store.js';

const ANSWERS = [100, 1_000];

/**
 * What one answer costs end to end on a release that already holds many: parse, authorise, audit,
 * refresh the live checklist, durable write; then what a `status` costs to evaluate and render.
 */
export async function benchAnswerPath(): Promise<void> {
  console.log('answer path: one confirm on a release holding N earlier answers (checklist live, fsync on)');
  for (const count of ANSWERS) {
    const dir = await mkdtemp(join(tmpdir(), 'golive-bench-'));
    const store = await openLowdbStore(dir);
    let now = Date.parse('2019-11-01T09:00:00Z');
    const clock: Clock = { now: () => new Date((now += 1000)) };
    const app = new GoliveApp({ store, clock, directory: noGroups });
    const run = (text: string, id = 'rita') => app.handle({ actor: { id: qualify('console', id), platform: 'console' }, channel: { platform: 'console', id: 'bench' }, text });
    await run('/release create "Bench" 2019-11-29 --id bench');
    await run('/release role DCC dan');
    await run('/release ask');
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await run(`/release confirm ${(i % 6) + 1} met "answer ${i}" --evidence https://example.org/${i}`, 'dan');
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const p95 = times[Math.floor(times.length * 0.95)]!;
    const release = (await store.get('bench'))!.release;
    const viewStarted = performance.now();
    const readiness = evaluate(release, new Date(now));
    renderBlocks(statusView(release, readiness, new Date(now)));
    renderBlocks(checklistView(release, readiness, new Date(now)));
    const viewMs = performance.now() - viewStarted;
    const heap = process.memoryUsage().heapUsed / 1024 / 1024;
    console.log(`  ${String(count).padStart(5)} answers: confirm mean ${mean.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms; status + checklist render ${viewMs.toFixed(2)} ms; heap ${heap.toFixed(1)} MB`);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
