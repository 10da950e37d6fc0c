import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import { stateHashOf } from '../src/domain/audit.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { minimalRelease } from './fixtures/release-doc.js';
import { createRelease } from './support/store-records.js';
import { storeRejection as rejection } from './support/store-rejection.js';

// A state file whose release hashes to the stateHash its head seals is one golive validated and
// wrote: it opens without being validated again. Anything else is validated in full, and a file
// that fails still stops the store, naming the file, with nothing on disk changed.

const folders: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

const open = async (dir: string): Promise<Store> => {
  const store = await openLowdbStore(dir, { verify: recordVerifier({}), sweepAfterMs: false });
  stores.push(store);
  return store;
};

/** A folder holding release rel-1, written by golive; its state file's path. */
async function folderWithRelease(): Promise<{ dir: string; file: string; written: Awaited<ReturnType<Store['get']>> }> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-sealed-state-'));
  folders.push(dir);
  const store = await open(dir);
  await createRelease(store, minimalRelease('rel-1'));
  const written = await store.get('rel-1');
  await store.close();
  return { dir, file: join(dir, 'releases', 'rel-1.state.json'), written };
}

type StateJson = { release: Record<string, unknown>; head: { stateHash: string } } & Record<string, unknown>;
const readState = async (file: string): Promise<StateJson> => JSON.parse(await readFile(file, 'utf8')) as StateJson;

describe('a sealed state file', () => {
  it('opens as it was written', async () => {
    const { dir, written } = await folderWithRelease();
    const store = await open(dir);
    expect(await store.get('rel-1')).toEqual(written);
  });

  it('with a field the schema does not know beside its release, its seal still matching, stops the store naming it, and is left as it was', async () => {
    const { dir, file } = await folderWithRelease();
    const state = await readState(file);
    expect(state.head.stateHash).toBe(stateHashOf(state.release));
    // The parts beside the release are validated, strictly, whatever the seal says.
    state.extra = true;
    const text = JSON.stringify(state);
    await writeFile(file, text);
    const error = await rejection(openLowdbStore(dir, { verify: recordVerifier({}), sweepAfterMs: false }));
    expect(error.message).toContain(file);
    expect(error.message).toContain('is not a release state file');
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('whose release was edited is validated in full: an invalid one stops the store naming the file', async () => {
    const { dir, file } = await folderWithRelease();
    const state = await readState(file);
    state.release.name = '';
    const text = JSON.stringify(state);
    await writeFile(file, text);
    const error = await rejection(openLowdbStore(dir, { verify: recordVerifier({}), sweepAfterMs: false }));
    expect(error.message).toContain(`${file}: is not a release state file (release.name: `);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('whose head is not an audit entry, its seal still matching, stops the store naming it', async () => {
    const { dir, file } = await folderWithRelease();
    const state = await readState(file);
    (state.head as Record<string, unknown>).seq = 'first';
    await writeFile(file, JSON.stringify(state));
    const error = await rejection(openLowdbStore(dir, { verify: recordVerifier({}), sweepAfterMs: false }));
    expect(error.message).toContain(`${file}: is not a release state file (head.seq: `);
  });

  it('whose release was edited but still validates opens, and its record is quarantined at first use', async () => {
    const { dir, file } = await folderWithRelease();
    const state = await readState(file);
    state.release.name = 'Renamed behind golive';
    await writeFile(file, JSON.stringify(state));
    const store = await open(dir);
    expect((await store.get('rel-1'))!.release.name).toBe('Renamed behind golive');
    expect((await store.quarantine('rel-1'))?.message).toMatch(/state/i);
  });
});
