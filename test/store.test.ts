import { storeRejection as rejection } from './support/store-rejection.js';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, type Store } from '../src/app/store-port.js';
import type { Release } from '../src/domain/release.js';
import { nodeFs, type DurableFs } from '../store/durable-json-file.js';
import { nodeReleaseFs, type ReleaseFs } from '../store/json/release-fs.js';
import { openLowdbStore, type LowdbStoreOptions } from '../store/lowdb-store.js';
import { minimalRelease, minimalReleaseDocument } from './fixtures/release-doc.js';
import { createRelease, editRelease, entryAfter, recordOf } from './support/store-records.js';
import { readRaw, readRecord, releaseBytes, releaseFiles, writeRaw } from './support/release-on-disk.js';

// The JSON folder store's own promises: its files, their checks and repairs at open, fsync and
// the index. What every store promises is test/store-contract.ts, run on this one by
// test/store-contract-json.test.ts.

const folders: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((store) => store.close()));
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'golive-store-'));
  folders.push(folder);
  return join(folder, 'data');
}

async function open(dir: string, options: LowdbStoreOptions = {}): Promise<Store> {
  const store = await openLowdbStore(dir, options);
  stores.push(store);
  return store;
}

async function openError(dir: string): Promise<StoreError> {
  const error: unknown = await openLowdbStore(dir).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

// A version-1 document (<id>.json), as golive wrote a release before the append-only layout: converted at open.
const releasePath = (dir: string, id: string) => join(dir, 'releases', `${id}.json`);
const onDisk = readRecord;
// The files of a release in the append-only layout, relative to the data folder.
const layout = (...ids: string[]) => ids.flatMap((id) => [`${id}.audit.jsonl`, `${id}.outbox.jsonl`, `${id}.state.json`].map((name) => join('releases', name)));
const indexOnDisk = async (dir: string) => JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { version: number; releases: Array<{ id: string; name: string }> };

// Every data file a store leaves behind, relative to its data folder; its lock (there while it is
// open) is test/store-lock.test.ts's subject.
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !(entry.parentPath === dir && entry.name === 'golive.lock'))
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

function withIssues(count: number): (release: Release) => void {
  const at = '2019-11-08T09:00:00.000Z';
  return (release) => {
    release.facts.testingIssues = { count, threshold: 10, setAt: at, setBy: 'U-tester', changedAt: at };
  };
}

/** Creates the smallest valid release, sealed by its first entry. */
function create(store: Store, id: string, overrides: Partial<Release> = {}) {
  return createRelease(store, minimalRelease(id, overrides));
}

function deferred() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return { gate, open };
}

// Wraps the real file operations to record syncs and renames, and to hold or fail a rename.
function watchedFs(hooks: { beforeRename?: (to: string) => Promise<void> | void } = {}) {
  const events: string[] = [];
  const fs: DurableFs = {
    readFile: (path) => nodeFs.readFile(path),
    open: async (path, flags) => {
      const file = await nodeFs.open(path, flags);
      return {
        writeFile: (data) => file.writeFile(data),
        sync: async () => {
          await file.sync();
          events.push(`sync ${path}`);
        },
        close: () => file.close(),
      };
    },
    rename: async (from, to) => {
      await hooks.beforeRename?.(to);
      await nodeFs.rename(from, to);
      events.push(`rename ${to}`);
    },
    unlink: (path) => nodeFs.unlink(path),
  };
  return { fs, events };
}

// Wraps the release files' operations to record each writing step, and to hold or fail one.
function watchedReleaseFs(hooks: { before?: (step: string, path: string) => Promise<void> | void } = {}) {
  const events: string[] = [];
  const step =
    <A extends unknown[]>(name: string, run: (path: string, ...rest: A) => Promise<void>) =>
    async (path: string, ...rest: A) => {
      await hooks.before?.(name, path);
      await run(path, ...rest);
      events.push(`${name} ${path}`);
    };
  const fs: ReleaseFs = {
    ...nodeReleaseFs,
    create: step('create', nodeReleaseFs.create),
    append: step('append', nodeReleaseFs.append),
    rename: async (from, to) => {
      await hooks.before?.('rename', to);
      await nodeReleaseFs.rename(from, to);
      events.push(`rename ${to}`);
    },
    syncFolder: step('syncFolder', nodeReleaseFs.syncFolder),
  };
  return { fs, events };
}

describe('openLowdbStore', () => {
  it('starts an empty store in a data folder that does not exist yet', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    expect(await store.list()).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['golive.lock', 'releases']);
  });

  it('keeps created and updated releases on disk and reads them back after reopening', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'nov-2019', { channels: [{ platform: 'slack', id: 'C1' }] });
    await create(store, 'feb-2020');
    await editRelease(store, 'nov-2019', withIssues(3));
    const updated = await recordOf(store, 'nov-2019');
    const created = await recordOf(store, 'feb-2020');
    await store.close();

    const file = await onDisk(dir, 'nov-2019');
    expect(file.release.facts.testingIssues?.count).toBe(3);
    expect(file).toEqual({ version: 1, release: updated.release, audit: updated.audit, outbox: [] });
    expect(await indexOnDisk(dir)).toEqual({
      version: 1,
      releases: [
        { id: 'nov-2019', name: 'Release nov-2019', channels: [{ platform: 'slack', id: 'C1' }] },
        { id: 'feb-2020', name: 'Release feb-2020', channels: [] },
      ],
    });

    const reopened = await open(dir);
    expect((await reopened.list()).map((summary) => summary.id)).toEqual(['nov-2019', 'feb-2020']);
    expect(await recordOf(reopened, 'nov-2019')).toEqual(updated);
    expect(await recordOf(reopened, 'feb-2020')).toEqual(created);
    expect(await reopened.findByChannel({ platform: 'slack', id: 'C1' })).toBe('nov-2019');
    expect(await reopened.findByChannel({ platform: 'teams', id: 'C1' })).toBeUndefined();
  });

  it('accepts a log function in place of the options', async () => {
    const dir = await dataDir();
    const messages: string[] = [];
    const store = await openLowdbStore(dir, (message) => messages.push(message));
    stores.push(store);
    expect(await store.list()).toEqual([]);
  });

  it('reads a release file with an empty chain (written before every release had one) as one without a head', async () => {
    const dir = await dataDir();
    await mkdir(join(dir, 'releases'), { recursive: true });
    await writeFile(releasePath(dir, 'old'), JSON.stringify(minimalReleaseDocument('old')));
    const store = await open(dir);
    expect(await store.get('old')).toEqual({ release: minimalRelease('old') });
    expect(await store.audit('old')).toEqual([]);
  });
});

describe('a store file that cannot be trusted stops open, untouched', () => {
  async function withReleaseFile(id: string, content: string) {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'good');
    await store.close();
    await writeFile(releasePath(dir, id), content);
    return { dir, before: await readFile(releasePath(dir, id)), files: await filesIn(dir) };
  }

  it('a release file that is not JSON (truncated)', async () => {
    const whole = JSON.stringify(minimalReleaseDocument('rel-1'), null, 2);
    const { dir, before, files } = await withReleaseFile('rel-1', whole.slice(0, whole.length / 2));
    const error = await openError(dir);
    expect(error.message).toContain(`${releasePath(dir, 'rel-1')}: is not valid JSON`);
    expect(error.file).toBe(releasePath(dir, 'rel-1'));
    expect(await readFile(releasePath(dir, 'rel-1'))).toEqual(before);
    expect(await filesIn(dir)).toEqual(files);
  });

  it('a release file that is JSON but not a valid release, naming the field', async () => {
    const doc = minimalReleaseDocument('rel-1');
    const response = { answer: 'met', by: 'U-dcc', platform: 'slack', at: '2019-11-08T10:00:00Z' };
    doc.release.criteria[0]!.responses = [response, { ...response, at: 'yesterday' }] as never;
    const { dir, before, files } = await withReleaseFile('rel-1', JSON.stringify(doc));
    const error = await openError(dir);
    expect(error.message).toBe(`${releasePath(dir, 'rel-1')}: is not a release document (release.criteria.0.responses.1.at: must be an ISO 8601 timestamp)`);
    expect(await readFile(releasePath(dir, 'rel-1'))).toEqual(before);
    expect(await filesIn(dir)).toEqual(files);
  });

  it('a file whose name is not a release id is left alone, and said so', async () => {
    const { dir, files } = await withReleaseFile('Bad Name', JSON.stringify(minimalReleaseDocument('rel-1')));
    const log: string[] = [];
    const store = await open(dir, { log: (message) => log.push(message) });
    expect((await store.list()).map((summary) => summary.id)).toEqual(['good']);
    expect(log).toEqual([`${releasePath(dir, 'Bad Name')}: ignored, it is not a release file`]);
    await store.close();
    expect(await filesIn(dir)).toEqual(files);
  });

  it('a release file holding another release', async () => {
    const { dir, before } = await withReleaseFile('rel-2', JSON.stringify(minimalReleaseDocument('rel-1')));
    const error = await openError(dir);
    expect(error.message).toBe(`${releasePath(dir, 'rel-2')}: holds release "rel-1", but its file name says "rel-2"`);
    expect(await readFile(releasePath(dir, 'rel-2'))).toEqual(before);
  });

  it('an index that is not JSON', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    await store.close();
    await writeFile(join(dir, 'index.json'), '{"version":1,"releases":[');
    const error = await openError(dir);
    expect(error.message).toContain(`${join(dir, 'index.json')}: is not valid JSON`);
    expect(await readFile(join(dir, 'index.json'), 'utf8')).toBe('{"version":1,"releases":[');
  });

  it('an index that is JSON but not valid', async () => {
    const dir = await dataDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.json'), JSON.stringify({ version: 1, releases: [{ id: '../etc', name: 'x', channels: [] }] }));
    const error = await openError(dir);
    expect(error.message).toMatch(new RegExp(`^${escapeRegex(join(dir, 'index.json'))}: releases\\.0\\.id: must be lower-case`));
  });

  it('an index naming a release whose file is missing', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    await create(store, 'rel-2');
    await store.close();
    for (const file of Object.values(releaseFiles(dir, 'rel-2'))) await rm(file);
    const index = await readFile(join(dir, 'index.json'));
    const error = await openError(dir);
    expect(error.message).toBe(`${join(dir, 'index.json')}: lists release "rel-2", but ${releaseFiles(dir, 'rel-2').state} is missing`);
    expect(await readFile(join(dir, 'index.json'))).toEqual(index);
  });

  it('leaves a leftover temp file of the release that fails alone when open fails', async () => {
    const { dir } = await withReleaseFile('rel-1', 'not json');
    await writeFile(join(dir, 'releases', '.rel-1.outbox.jsonl.1234.tmp'), 'half a write');
    await openError(dir);
    expect(await filesIn(dir)).toContain(join('releases', '.rel-1.outbox.jsonl.1234.tmp'));
  });
});

describe('repairs at open', () => {
  it('adds back a release a crash left out of the index, and says so', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    await store.close();
    await writeFile(releasePath(dir, 'orphan'), JSON.stringify(minimalReleaseDocument('orphan')));

    const log: string[] = [];
    const reopened = await open(dir, { log: (message) => log.push(message) });
    expect((await reopened.list()).map((summary) => summary.id)).toEqual(['rel-1', 'orphan']);
    expect((await reopened.get('orphan'))?.release).toEqual(minimalRelease('orphan'));
    expect(log).toEqual([
      expect.stringContaining(`${releasePath(dir, 'orphan')}: converted to the append-only layout`),
      expect.stringContaining(`${releaseFiles(dir, 'orphan').state}: was missing from ${join(dir, 'index.json')}`),
    ]);
    expect((await indexOnDisk(dir)).releases.map((entry) => entry.id)).toEqual(['rel-1', 'orphan']);
  });

  it('refreshes an index entry a crash left out of date', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    await store.close();
    const index = await indexOnDisk(dir);
    index.releases[0]!.name = 'Old name';
    await writeFile(join(dir, 'index.json'), JSON.stringify(index));

    const log: string[] = [];
    const reopened = await open(dir, { log: (message) => log.push(message) });
    expect((await reopened.list())[0]!.name).toBe('Release rel-1');
    expect(log).toEqual([expect.stringContaining('was out of date')]);
    expect((await indexOnDisk(dir)).releases[0]!.name).toBe('Release rel-1');
  });

  it('removes temp files left by a write that never finished', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    await store.close();
    await writeFile(join(dir, 'releases', '.rel-1.outbox.jsonl.5f0c.tmp'), '{"half":');
    const log: string[] = [];
    await open(dir, { log: (message) => log.push(message) });
    expect(await filesIn(dir)).toEqual(['index.json', ...layout('rel-1')]);
    expect(log).toEqual([expect.stringContaining('.rel-1.outbox.jsonl.5f0c.tmp: removed a temp file')]);
  });
});

describe('audit ranges', () => {
  it('are read by entry number, also from a chain whose entries are out of order on disk', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    for (let n = 2; n <= 4; n++) await editRelease(store, 'rel-1', (release) => (release.name = `Name ${n}`));
    const chain = await store.audit('rel-1');
    expect(await store.audit('rel-1', { fromSeq: 2, toSeq: 3 })).toEqual(chain.slice(1, 3));
    await store.close();

    const doc = await readRaw(dir, 'rel-1');
    doc.audit = [doc.audit[0]!, doc.audit[2]!, doc.audit[1]!, doc.audit[3]!];
    await writeRaw(dir, 'rel-1', doc);
    const reopened = await open(dir);
    expect((await reopened.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 3, 2, 4]);
    expect(await reopened.audit('rel-1', { fromSeq: 2, toSeq: 2 })).toEqual([chain[1]]);
    expect((await reopened.audit('rel-1', { fromSeq: 2 })).map((entry) => entry.seq)).toEqual([3, 2, 4]);
    expect((await reopened.audit('rel-1', { toSeq: 2 })).map((entry) => entry.seq)).toEqual([1, 2]);
  });
});

describe('create', () => {
  it('rejects an invalid release and writes nothing, saying what is wrong', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    const invalid = { ...minimalRelease('rel-1'), managers: [] };
    const error = await rejection(createRelease(store, invalid));
    expect(error.message).toBe('release "rel-1": the new state is not valid: managers: Too small: expected array to have >=1 items; nothing was written');
    expect(await store.list()).toEqual([]);
    expect(await filesIn(dir)).toEqual([]);
  });

  it('rejects a first entry that does not start a chain, and writes nothing', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    const other = await create(store, 'other');
    const release = minimalRelease('rel-1');
    const error = await rejection(store.create(release, { ...other, seq: 2 }, []));
    expect(error.message).toContain('does not continue the chain');
    expect(await store.get('rel-1')).toBeUndefined();
    expect(await filesIn(dir)).toEqual(['index.json', ...layout('other')]);
  });

  it('rejects an id that is already taken, also while the first create is in flight, saying so', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    const first = create(store, 'rel-1');
    const error = await rejection(create(store, 'rel-1', { name: 'Other' }));
    expect(error.message).toBe('a release with id "rel-1" already exists');
    await first;
    await rejection(create(store, 'rel-1'));
    expect((await store.get('rel-1'))?.release.name).toBe('Release rel-1');
    expect(await store.list()).toHaveLength(1);
  });

  it('refuses an id that is not a slug before it becomes a path', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    const release = { ...minimalRelease('rel-1'), id: '../../etc/passwd' };
    await rejection(createRelease(store, release));
    expect(await filesIn(dir)).toEqual([]);
  });
});

describe('transact', () => {
  it('lets writes to different releases proceed while one is held up on disk', async () => {
    const held = deferred();
    const { fs } = watchedReleaseFs({ before: (step, path) => (step === 'rename' && path.endsWith('slow.state.json') ? held.gate : undefined) });
    const store = await open(await dataDir(), { releaseFs: fs });
    await create(store, 'fast');
    const slowCreate = create(store, 'slow');
    const changes: string[] = [];
    const slowUpdate = store.transact('slow', () => (changes.push('slow'), { result: undefined }));

    await editRelease(store, 'fast', (release) => (changes.push('fast'), withIssues(1)(release)));
    expect(changes).toEqual(['fast']); // the second write to "slow" waits for the first
    held.open();
    await Promise.all([slowCreate, slowUpdate]);
    expect(changes).toEqual(['fast', 'slow']);
  });

  it('changes nothing when the result does not validate, and says what is wrong', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    const before = await recordOf(store, 'rel-1');
    const bytes = await releaseBytes(dir, 'rel-1');

    const error = await rejection(editRelease(store, 'rel-1', (release) => (release.managers = [])));
    expect(error.message).toBe('release "rel-1": the new state is not valid: managers: Too small: expected array to have >=1 items; nothing was written');
    const renamed = await rejection(editRelease(store, 'rel-1', (release) => (release.id = 'other')));
    expect(renamed.message).toContain('cannot change its id');
    const unchained = await rejection(store.transact('rel-1', (current) => ({ append: [{ ...current.head!, seq: 5 }], result: undefined })));
    expect(unchained.message).toBe('release "rel-1": audit entry 5 does not continue the chain from entry 1; nothing was written');
    expect(await recordOf(store, 'rel-1')).toEqual(before);
    expect(await releaseBytes(dir, 'rel-1')).toEqual(bytes);
    expect(await filesIn(dir)).toEqual(['index.json', ...layout('rel-1')]);
  });

  it('changes nothing in memory or on disk when appending the audit entry fails, and leaves no next-state file', async () => {
    let failing = false;
    const { fs } = watchedReleaseFs({
      before: (step, path) => {
        if (failing && step === 'append' && path.endsWith('.audit.jsonl')) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      },
    });
    const dir = await dataDir();
    const store = await open(dir, { releaseFs: fs });
    await create(store, 'rel-1');
    const before = await recordOf(store, 'rel-1');
    const bytes = await releaseBytes(dir, 'rel-1');
    failing = true;
    const error = await rejection(editRelease(store, 'rel-1', withIssues(7)));
    expect(error.message).toBe('release "rel-1" could not be saved (no space left on device); nothing was changed');
    expect(await recordOf(store, 'rel-1')).toEqual(before);
    expect(await releaseBytes(dir, 'rel-1')).toEqual(bytes);
    expect(await filesIn(dir)).toEqual(['index.json', ...layout('rel-1')]);
    failing = false;
    await editRelease(store, 'rel-1', withIssues(8));
    expect((await store.get('rel-1'))?.release.facts.testingIssues?.count).toBe(8);
  });

  it('shows readers a new release or state only once it is on disk', async () => {
    let held = deferred();
    const { fs } = watchedFs({ beforeRename: () => held.gate });
    const store = await open(await dataDir(), { fs });
    const created = create(store, 'rel-1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await store.get('rel-1')).toBeUndefined();
    held.open();
    await created;
    expect(await store.get('rel-1')).toBeDefined();

    held = deferred();
    let fnDone = false;
    const edit = store.transact('rel-1', (current) => {
      fnDone = true;
      const release = { ...current.release, name: 'Renamed' };
      return { release, append: [entryAfter(current.head, release)], result: undefined };
    });
    while (!fnDone) await new Promise((resolve) => setImmediate(resolve));
    expect((await store.get('rel-1'))?.release.name).toBe('Release rel-1');
    expect(await store.audit('rel-1')).toHaveLength(1);
    held.open();
    await edit;
    expect((await store.get('rel-1'))?.release.name).toBe('Renamed');
    expect(await store.audit('rel-1')).toHaveLength(2);
  });

  it('rejects an unknown release, naming the id', async () => {
    const store = await open(await dataDir());
    const error = await rejection(store.transact('../../etc/passwd', () => ({ result: undefined })));
    expect(error.message).toBe('there is no release with id "../../etc/passwd"');
  });

  it('rejects a quarantined release, saying it is read-only and where it fails', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    await store.close();
    const reopened = await open(dir, { verify: () => ({ seq: 1, message: 'edited' }) });
    const error = await rejection(editRelease(reopened, 'rel-1', withIssues(1)));
    expect(error.message).toBe('release "rel-1" is read-only: its record fails verification at entry 1');
  });
});

describe('durability', () => {
  it('writes a change in the order of the commit protocol: next state and folder synced, entry appended, state renamed, folder synced', async () => {
    const { fs, events } = watchedReleaseFs();
    const dir = await dataDir();
    const store = await open(dir, { releaseFs: fs });
    await create(store, 'rel-1');
    events.length = 0;
    await editRelease(store, 'rel-1', withIssues(1));
    const releases = join(dir, 'releases');
    const files = releaseFiles(dir, 'rel-1');
    expect(events).toEqual([`create ${join(releases, 'rel-1.state.next.json')}`, `syncFolder ${releases}`, `append ${files.audit}`, `rename ${files.state}`, `syncFolder ${releases}`]);
  });

  it('rewrites the index only when a name or channel changes', async () => {
    const { fs, events } = watchedFs();
    const dir = await dataDir();
    const store = await open(dir, { fs });
    await create(store, 'rel-1');
    const indexWrites = () => events.filter((event) => event === `rename ${join(dir, 'index.json')}`).length;
    expect(indexWrites()).toBe(1);

    await editRelease(store, 'rel-1', withIssues(1));
    expect(indexWrites()).toBe(1);
    await store.transact('rel-1', () => ({ outbox: [], refusals: null, result: undefined }));
    expect(indexWrites()).toBe(1);
    await editRelease(store, 'rel-1', (release) => (release.name = 'Renamed'));
    expect(indexWrites()).toBe(2);
    await editRelease(store, 'rel-1', (release) => (release.channels = [{ platform: 'teams', id: '19:abc' }]));
    expect(indexWrites()).toBe(3);
    expect(await store.findByChannel({ platform: 'teams', id: '19:abc' })).toBe('rel-1');
    expect((await indexOnDisk(dir)).releases).toEqual([{ id: 'rel-1', name: 'Renamed', channels: [{ platform: 'teams', id: '19:abc' }] }]);
  });

  it('keeps a created release when only the index write fails, and rewrites the index at close', async () => {
    let failIndex = true;
    const { fs } = watchedFs({
      beforeRename: (to) => {
        if (failIndex && to.endsWith('index.json')) throw new Error('I/O error');
      },
    });
    const dir = await dataDir();
    const log: string[] = [];
    const store = await open(dir, { fs, log: (message) => log.push(message) });
    await create(store, 'rel-1');
    expect((await store.list()).map((summary) => summary.id)).toEqual(['rel-1']);
    expect(log).toEqual([expect.stringContaining(`${join(dir, 'index.json')}: could not be saved (I/O error)`)]);
    expect(await filesIn(dir)).toEqual(layout('rel-1'));

    failIndex = false;
    await store.close();
    expect((await indexOnDisk(dir)).releases.map((entry) => entry.id)).toEqual(['rel-1']);
  });

  it('leaves no temp files behind after many writes', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await Promise.all(['a', 'b', 'c'].map((id) => create(store, id)));
    await Promise.all(['a', 'b', 'c', 'a', 'b'].map((id, n) => editRelease(store, id, (release) => (release.name = `Name ${n}`))));
    await store.close();
    expect(await filesIn(dir)).toEqual(['index.json', ...layout('a', 'b', 'c')]);
    const names = Object.fromEntries((await indexOnDisk(dir)).releases.map((entry) => [entry.id, entry.name]));
    expect(names).toEqual({ a: 'Name 3', b: 'Name 4', c: 'Name 2' });
  });
});

describe('close', () => {
  it('waits for pending writes, then refuses new ones', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    await create(store, 'rel-1');
    const pending = editRelease(store, 'rel-1', withIssues(5));
    await store.close();
    expect((await onDisk(dir, 'rel-1')).release.facts.testingIssues?.count).toBe(5);
    await pending;
    const error = await rejection(store.transact('rel-1', () => ({ result: undefined })));
    expect(error.message).toBe('the store is closed');
  });
});

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
