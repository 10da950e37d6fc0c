import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TrustedReleaseReader } from '../src/app/release-reader.js';
import type { Store } from '../src/app/store-port.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { minimalRelease } from './fixtures/release-doc.js';
import { createRelease, editRelease } from './support/store-records.js';

describe('the trusted release reader', () => {
  let dir: string;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads each release once, again after a change, and never one that fails verification', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-reader-'));
    store = await openLowdbStore(dir);
    await createRelease(store, minimalRelease('a'));
    await createRelease(store, minimalRelease('b'));
    const reader = new TrustedReleaseReader(store);
    const first = await reader.all();
    expect(first.map((release) => release.name)).toEqual(['Release a', 'Release b']);
    // Unchanged: the very objects read before, not new copies.
    const again = await reader.all();
    expect(again[0]).toBe(first[0]);
    expect(again[1]).toBe(first[1]);

    await editRelease(store, 'b', (release) => (release.name = 'Renamed'));
    await createRelease(store, minimalRelease('c'));
    const changed = await reader.all();
    expect(changed.map((release) => release.name)).toEqual(['Release a', 'Renamed', 'Release c']);
    expect(changed[0]).toBe(first[0]);

    await store.close();
    store = await openLowdbStore(dir, { verify: (doc) => (doc.release.id === 'a' ? { seq: 1, message: 'edited' } : undefined) });
    expect((await new TrustedReleaseReader(store).all()).map((release) => release.id)).toEqual(['b', 'c']);
  });
});
