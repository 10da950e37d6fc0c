import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeCopies } from './seeded-store.js';
import { seedScenarioRecord } from './startup-verify.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import { parse } from '../src/app/language/parser.js';
import { evaluate } from '../src/domain/readiness.js';
import { statusView } from '../src/views/status.js';
import { renderBlocks } from '../adapters/slack/render-blocks.js';
import { viewMessage } from '../adapters/teams/render.js';
import { keptReceived } from '../src/app/inbox.js';
import { stateFingerprint } from '../src/domain/fingerprint.js';

// What each piece of answering `/release status` costs in-process, on the seed scenario's release:
// a developer's aid for issue 10, not part of `npm run bench`.

const root = await mkdtemp(join(tmpdir(), 'golive-pieces-'));
await writeCopies(root, await seedScenarioRecord(), 3, undefined, (n) => (n === 1 ? [{ platform: 'slack', id: 'C0BENCH' }] : []));
const store = await openLowdbStore(root);
const app = new GoliveApp({ store, clock: { now: () => new Date() }, directory: noGroups });
const N = 2000;
const time = async (name: string, fn: () => unknown) => {
  for (let i = 0; i < 200; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  console.log(`${name.padEnd(28)} ${(((performance.now() - t0) / N) * 1000).toFixed(0).padStart(6)} µs`);
};
const stored = (await store.get('rel-1'))!;
const now = new Date();
const readiness = evaluate(stored.release, now);
const view = statusView(stored.release, readiness, now);
const entry = {
  type: 'received',
  kind: 'command',
  id: 'x',
  at: now.toISOString(),
  platform: 'slack',
  actor: 'U1',
  channel: 'C0BENCH',
  reply: { user: 'U1', channel: 'C0BENCH' },
  text: '/release status',
} as const;
await time('parse', () => parse('/release status'));
await time('keptReceived (zod)', () => keptReceived(entry));
await time('store.get (copy)', () => store.get('rel-1'));
await time('store.findByChannel', () => store.findByChannel({ platform: 'slack', id: 'C0BENCH' }));
await time('stateFingerprint', () => stateFingerprint(stored.release));
await time('evaluate', () => evaluate(stored.release, now));
await time('statusView', () => statusView(stored.release, readiness, now));
await time('slack renderBlocks', () => renderBlocks(view));
await time('teams viewMessage', () => viewMessage(view, {}));
await time('app.handle status (whole)', () => app.handle({ actor: { id: 'slack:U1', platform: 'slack' }, channel: { platform: 'slack', id: 'C0BENCH' }, text: '/release status' }));
await store.close();
await rm(root, { recursive: true, force: true });
