import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import type { ReleaseDocument } from '../store/release-document.js';
import { Scheduler } from '../src/app/delivery/scheduler.js';
import { sealEntry, stateHashOf } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import { allOccurrences } from '../src/domain/schedule.js';
import type { SchedulePoint } from '../src/domain/schedule-plan.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { documentOf } from './bench-stores.js';
import { runConsole } from '../adapters/console/console-chat.js';

const RELEASES = 1_000;
/** One release in this many is due at the "some due" instant: its date is a week earlier. */
const DUE_EVERY = 20;
// Nine more reminder points than the template, so each release has about twenty schedule points.
const EXTRA: SchedulePoint[] = Array.from({ length: 9 }, (_, i) => ({ id: `remind-extra-${i + 1}`, kind: 'reminder', when: `T-${30 - i} 09:00` }));

/**
 * The scheduler's tick over 1,000 releases of ~20 schedule points each: the first tick (every
 * release's next due instant computed), a tick where nothing is due (the 30-second timer's usual
 * case; budget 50 ms), and a tick where one release in twenty is due (each writes one sealed change).
 */
export async function benchSchedulerTick(): Promise<void> {
  const template = await seedRelease();
  template.release.schedule = [...(template.release.schedule ?? []), ...EXTRA];
  const root = await mkdtemp(join(tmpdir(), 'golive-bench-tick-'));
  try {
    await writeReleases(root, template);
    const store = await openLowdbStore(root);
    const points = allOccurrences((await store.get('rel-0'))!.release).length;
    console.log(`scheduler tick: ${RELEASES} releases of ${template.release.schedule.length} schedule points (${points} occurrences each)`);
    const scheduler = new Scheduler(store);
    const quiet = new Date('2019-11-18T12:00:00Z');
    // Every release already acted up to `quiet`, so the ticks below measure the scheduler, not a catch-up.
    let started = performance.now();
    await scheduler.tick(quiet);
    console.log(`  first tick (next due computed for each release): ${(performance.now() - started).toFixed(1)} ms`);
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) {
      started = performance.now();
      const report = await scheduler.tick(new Date(quiet.getTime() + i * 30_000));
      runs.push(performance.now() - started);
      if (report.acted.length > 0) throw new Error('a quiet tick acted');
    }
    runs.sort((a, b) => a - b);
    console.log(`  tick with nothing due: median ${runs[10]!.toFixed(2)} ms, worst ${runs.at(-1)!.toFixed(2)} ms (budget 50 ms)`);
    started = performance.now();
    const report = await scheduler.tick(new Date('2019-11-19T09:00:30Z'));
    console.log(`  tick with ${report.acted.length} releases due (${report.messages} messages, one sealed write each): ${(performance.now() - started).toFixed(1)} ms`);
    await store.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function seedRelease(): Promise<ReleaseDocument> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-bench-sched-'));
  try {
    const store = await openLowdbStore(dir);
    let now = Date.parse('2019-11-01T09:00:00Z');
    const app = new GoliveApp({ store, clock: { now: () => new Date((now += 60_000)) }, directory: noGroups });
    const script = await readFile('examples/sec-release-2019.txt', 'utf8');
    const setup = script.split('\n/as dan')[0]!;
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    await runConsole({ app, input: Readable.from([setup]), output: sink, interactive: false, user: 'rita' });
    const doc = await documentOf(store, 'nov-2019-sec');
    await store.close();
    if (!doc) throw new Error('the seed scenario created no release "nov-2019-sec"');
    return doc;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Copies of the release, each sealed as its own; every release has acted up to 18 Nov already. */
async function writeReleases(root: string, template: ReleaseDocument): Promise<void> {
  await mkdir(join(root, 'releases'), { recursive: true });
  const index = [];
  for (let n = 0; n < RELEASES; n++) {
    const id = `rel-${n}`;
    const release = { ...structuredClone(template.release), id, name: `Release ${n}`, channels: [], scheduledThrough: '2019-11-18T11:00:00.000Z' };
    // One in twenty is a week earlier: its T-3 escalation and daily reminder fall on 19 Nov 09:00.
    if (n % DUE_EVERY === 0) release.implementation = { ...release.implementation, date: '2019-11-22' };
    const audit: AuditEntry[] = [];
    template.audit.forEach((entry, at) => {
      const last = at === template.audit.length - 1;
      const { seq: _s, prevHash: _p, hash: _h, keyed: _k, ...content } = entry;
      audit.push(sealEntry(audit, { ...content, ...(last && { stateHash: stateHashOf(release) }) }));
    });
    await writeFile(join(root, 'releases', `${id}.json`), JSON.stringify({ version: template.version, release, audit, outbox: [] }));
    index.push({ id, name: release.name, channels: [] });
  }
  await writeFile(join(root, 'index.json'), JSON.stringify({ version: 1, releases: index }, null, 2));
}
