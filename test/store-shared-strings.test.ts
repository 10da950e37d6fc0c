import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import { StringShare } from '../store/json/shared-strings.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { minimalRelease } from './fixtures/release-doc.js';
import { createRelease, editRelease } from './support/store-records.js';

// Releases opened together share their equal long texts (one copy of a template's criteria for a
// thousand releases). What is shared is a string, never an object: a change to one release must
// never show in another, and every value reads back exactly as written.

const folders: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function open(dir: string): Promise<Store> {
  const store = await openLowdbStore(dir, { verify: recordVerifier({}), sweepAfterMs: false });
  stores.push(store);
  return store;
}

const TEXT = 'No Severity 1 or 2 defects outstanding at the go/no-go meeting';

describe('StringShare', () => {
  it('leaves every value as it was, at any depth, in objects and arrays', () => {
    const value = { a: TEXT, short: 'dcc', list: [TEXT, 'x', { deep: [TEXT, 7, null, true] }], n: 1, none: null };
    const before = structuredClone(value);
    const again = { other: [{ text: `${TEXT}`.slice(0) }] };
    const share = new StringShare();
    share.shareIn(value);
    share.shareIn(again);
    expect(value).toEqual(before);
    expect(again).toEqual({ other: [{ text: TEXT }] });
  });
});

describe('releases opened together', () => {
  it('read back as written, and a change to one leaves the others as they were', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'golive-shared-strings-'));
    folders.push(dir);
    const first = await open(dir);
    const criteria = minimalRelease().criteria.map((c) => ({ ...c, text: TEXT }));
    for (const id of ['rel-1', 'rel-2', 'rel-3']) await createRelease(first, minimalRelease(id, { criteria, name: `${TEXT}: shared by every release` }));
    const written = await Promise.all(['rel-1', 'rel-2', 'rel-3'].map((id) => first.get(id)));
    await first.close();

    const store = await open(dir);
    expect(await Promise.all(['rel-1', 'rel-2', 'rel-3'].map((id) => store.get(id)))).toEqual(written);
    await editRelease(store, 'rel-2', (release) => {
      release.criteria[0]!.text = 'Changed in release 2 only, after the store opened';
      release.name = 'Release 2 alone';
    });

    expect((await store.get('rel-1'))!.release).toEqual(written[0]!.release);
    expect((await store.get('rel-3'))!.release).toEqual(written[2]!.release);
    expect((await store.get('rel-2'))!.release.criteria[0]!.text).toBe('Changed in release 2 only, after the store opened');
    await store.close();
    // And on disk: opened again, each release is as last written.
    const reopened = await open(dir);
    expect((await reopened.get('rel-1'))!.release).toEqual(written[0]!.release);
    expect((await reopened.get('rel-2'))!.release.name).toBe('Release 2 alone');
    expect((await reopened.get('rel-2'))!.release.criteria[0]!.text).toBe('Changed in release 2 only, after the store opened');
  });
});
