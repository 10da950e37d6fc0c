import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import type { Store } from '../src/app/store-port.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { nodeReleaseFs, type ReleaseFs } from '../store/json/release-fs.js';
import { TestClock } from './support/test-clock.js';
import { renderText } from '../adapters/console/render-text.js';
import { changeRelease } from '../src/app/usecases/change.js';
import { Refusal } from '../src/app/request.js';
import { qualify } from '../src/domain/person-id.js';
import { recordOf } from './support/store-records.js';
import { readRaw, releaseText } from './support/release-on-disk.js';

describe('a write the disk refuses', () => {
  let dir: string;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('tells the person nothing was recorded, keeps the last saved state, and works again once the disk does', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-fail-'));
    let broken = false;
    // Creating the next state is a write's first step: failing it leaves nothing of the write.
    const releaseFs: ReleaseFs = { ...nodeReleaseFs, create: async (path, data) => (broken ? Promise.reject(new Error('EIO: i/o error (simulated)')) : nodeReleaseFs.create(path, data)) };
    store = await openLowdbStore(dir, { releaseFs });
    const logs: string[] = [];
    const app = new GoliveApp({ store, clock: new TestClock('2019-11-01T09:00:00Z'), directory: noGroups, log: (m) => logs.push(m) });
    const run = async (text: string, id = 'rita') => {
      const result = await app.handle({ actor: { id: qualify('console', id), platform: 'console' }, channel: { platform: 'console', id: 'general' }, text });
      return result.replies.map((r) => (r.kind === 'view' ? renderText(r.view) : r.kind === 'file' ? r.content : '')).join('\n');
    };
    await run('/release create "Nov" 2019-11-29 --id nov');
    const saved = await releaseText(dir, 'nov');

    broken = true;
    const reply = await run('/release role DCC dan');
    expect(reply).toMatch(/Not done: (Nothing was saved|Something went wrong and nothing was recorded)/);
    expect(await releaseText(dir, 'nov')).toBe(saved);
    expect((await store.get('nov'))!.release.roles.DCC).toEqual([]);
    expect((await recordOf(store, 'nov')).audit).toHaveLength(1);

    broken = false;
    expect(await run('/release role DCC dan')).toContain('Role DCC: @dan');
    expect((await readRaw(dir, 'nov')).release.roles.DCC).toEqual(['console:dan']);
  });

  it('keeps no part of a change that is refused after it began editing, and audits the refusal', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-refuse-'));
    store = await openLowdbStore(dir);
    const app = new GoliveApp({ store, clock: new TestClock('2019-11-01T09:00:00Z'), directory: noGroups });
    await app.handle({ actor: { id: 'console:rita', platform: 'console' }, channel: { platform: 'console', id: 'general' }, text: '/release create "Nov" 2019-11-29 --id nov' });
    const outcome = await changeRelease(store, 'nov', { actor: { id: 'console:mallory', platform: 'console' }, command: 'forged', now: new Date('2019-11-02T09:00:00Z') }, (release) => {
      release.managers.push('console:mallory');
      throw new Refusal('not yours');
    });
    expect(outcome).toEqual({ applied: false, refusal: 'not yours' });
    const onDisk = await readRaw(dir, 'nov');
    expect(onDisk.release.managers).toEqual(['console:rita']);
    expect(onDisk.audit.at(-1)).toMatchObject({ outcome: 'refused', reason: 'not yours', actor: { id: 'console:mallory' } });
  });
});
