import { message } from './support/json-release-files.js';
import { storeRejection as rejection } from './support/store-rejection.js';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import type { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import { nodeReleaseFs, type ReleaseFs } from '../store/json/release-fs.js';
import { openLowdbStore, type LowdbStoreOptions } from '../store/lowdb-store.js';
import { minimalRelease } from './fixtures/release-doc.js';
import { createRelease, editRelease } from './support/store-records.js';
import { watchedCheck } from './support/check-turns.js';
import { CHECKED_A_TURN } from '../src/next-turn.js';

// The JSON store opens on each release's state, outbox and the last line of its log; the log is
// read whole, and the record verified, at the release's first use or by the sweep after start.
// What a person or the disk sees must be as when everything was verified at open.

const folders: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-first-use-'));
  folders.push(dir);
  return dir;
}

async function open(dir: string, options: LowdbStoreOptions = {}): Promise<Store> {
  const store = await openLowdbStore(dir, { verify: recordVerifier({}), sweepAfterMs: false, ...options });
  stores.push(store);
  return store;
}

async function closeAll(): Promise<void> {
  await Promise.all(stores.splice(0).map((store) => store.close()));
}

const logOf = (dir: string, id: string) => join(dir, 'releases', `${id}.audit.jsonl`);
const outboxOf = (dir: string, id: string) => join(dir, 'releases', `${id}.outbox.jsonl`);

/** Release `id` with `edits` sealed changes after the entry that created it. */
async function releaseWithHistory(store: Store, id: string, edits: number, outbox: OutboxMessage[] = []): Promise<void> {
  await createRelease(store, minimalRelease(id), outbox);
  for (let n = 1; n <= edits; n++) {
    await editRelease(store, id, (release) => (release.name = `Release ${id} (${n})`), { command: `/release rename "Release ${id} (${n})" ${'.'.repeat(500)}` });
  }
}

/** Bytes read from each file, by file name, and every step in order. */
function countingFs(): { fs: ReleaseFs; bytes: Map<string, number>; steps: string[] } {
  const bytes = new Map<string, number>();
  const steps: string[] = [];
  const count = (path: string, read: Buffer) => {
    bytes.set(basename(path), (bytes.get(basename(path)) ?? 0) + read.length);
    steps.push(`read ${basename(path)}`);
    return read;
  };
  const fs: ReleaseFs = {
    ...nodeReleaseFs,
    read: async (path) => count(path, await nodeReleaseFs.read(path)),
    readRange: async (path, start, end) => count(path, await nodeReleaseFs.readRange(path, start, end)),
    append: async (path, data) => {
      steps.push(`append ${basename(path)}`);
      await nodeReleaseFs.append(path, data);
    },
  };
  return { fs, bytes, steps };
}

/** Edits the command of entry `seq` in the log, keeping every line valid JSON and an entry. */
async function editEntry(dir: string, id: string, seq: number): Promise<void> {
  const lines = (await readFile(logOf(dir, id), 'utf8')).split('\n');
  const entry = JSON.parse(lines[seq - 1]!) as { command: string };
  entry.command = '/release decide go';
  lines[seq - 1] = JSON.stringify(entry);
  await writeFile(logOf(dir, id), lines.join('\n'));
}

describe('opening a JSON store', () => {
  it('reads each state and only the end of each log; a log is read whole at its release’s first use', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    await releaseWithHistory(first, 'long', 200);
    // A last line longer than the first window read from the end of the file.
    await editRelease(first, 'long', (release) => (release.name = 'Release long (last)'), { command: `/release note ${'x'.repeat(3900)}`, reason: 'y'.repeat(1500) });
    for (const id of ['a', 'b', 'c']) await releaseWithHistory(first, id, 1);
    await closeAll();
    const longLog = (await stat(logOf(dir, 'long'))).size;
    expect(longLog).toBeGreaterThan(2 * 64 * 1024);

    const disk = countingFs();
    const store = await open(dir, { releaseFs: disk.fs });
    expect((await store.list()).map((summary) => summary.id)).toEqual(['long', 'a', 'b', 'c']);
    expect((await store.get('long'))?.release.name).toBe('Release long (last)');
    expect(await store.findByChannel({ platform: 'console', id: 'C-nowhere' })).toBeUndefined();
    for (const id of ['long', 'a', 'b', 'c']) expect(disk.bytes.get(`${id}.state.json`)).toBe((await stat(join(dir, 'releases', `${id}.state.json`))).size);
    // The last line, read from the end of the file: not the history.
    expect(disk.bytes.get('long.audit.jsonl')).toBeLessThanOrEqual(64 * 1024);

    const audit = await store.audit('long', { fromSeq: 200, toSeq: 201 });
    expect(audit.map((entry) => entry.seq)).toEqual([200, 201]);
    expect(disk.bytes.get('long.audit.jsonl')).toBeGreaterThanOrEqual(longLog);
    // Read once: a second use reads only the lines asked for.
    const before = disk.bytes.get('long.audit.jsonl')!;
    await store.audit('long', { fromSeq: 2, toSeq: 2 });
    expect(disk.bytes.get('long.audit.jsonl')! - before).toBeLessThan(1024);
  });

  it('verifies a release before its first write, then appends', async () => {
    const dir = await dataDir();
    await releaseWithHistory(await open(dir), 'rel-1', 3);
    await closeAll();
    const disk = countingFs();
    const store = await open(dir, { releaseFs: disk.fs });
    const size = (await stat(logOf(dir, 'rel-1'))).size;
    await editRelease(store, 'rel-1', (release) => (release.name = 'Renamed'));
    const wholeRead = disk.steps.lastIndexOf('read rel-1.audit.jsonl');
    expect(disk.bytes.get('rel-1.audit.jsonl')).toBeGreaterThanOrEqual(size);
    expect(wholeRead).toBeLessThan(disk.steps.indexOf('append rel-1.audit.jsonl'));
    expect((await store.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('checks a long log a few entries at a time, so requests are answered while it runs', async () => {
    const dir = await dataDir();
    await releaseWithHistory(await open(dir), 'long', 150);
    await closeAll();
    const check = watchedCheck();
    const store = await open(dir, { verify: check.verify });
    expect(await check.watch(() => store.quarantine('long'))).toBeUndefined();
    expect(check.checked()).toBe(151);
    // A 64 KiB read holds about eighty of these entries; between two turns for other work, CHECKED_A_TURN at most.
    expect(check.mostWithoutATurn()).toBeLessThanOrEqual(CHECKED_A_TURN);
  });

  it('quarantines a release whose log was edited in the middle when it is first used, and refuses its writes', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    await releaseWithHistory(first, 'rel-1', 5);
    await releaseWithHistory(first, 'rel-2', 1);
    await closeAll();
    await editEntry(dir, 'rel-1', 3);
    const edited = await readFile(logOf(dir, 'rel-1'));

    const logged: string[] = [];
    const store = await open(dir, { log: (message) => logged.push(message) });
    // Listed and found as before: the tampering is found when the release is used.
    expect((await store.list()).map((summary) => summary.id)).toEqual(['rel-1', 'rel-2']);
    expect(await store.quarantine('rel-1')).toEqual({ seq: 3, message: 'Entry 3 was edited: its content no longer matches its hash.' });
    expect(logged).toContain(`${logOf(dir, 'rel-1')}: quarantined (read-only), its record fails verification at entry 3: Entry 3 was edited: its content no longer matches its hash.`);
    const refused = await rejection(editRelease(store, 'rel-1', (release) => (release.name = 'Over the evidence')));
    expect(refused.message).toBe('release "rel-1" is read-only: its record fails verification at entry 3');
    expect(await readFile(logOf(dir, 'rel-1'))).toEqual(edited);
    // Its history stays readable; the other release is untouched by it.
    expect((await store.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await editRelease(store, 'rel-2', (release) => (release.name = 'Still written'));
    expect(await store.quarantine('rel-2')).toBeUndefined();
  });

  it('refuses the first write to a release edited in the middle, without it being asked about first', async () => {
    const dir = await dataDir();
    await releaseWithHistory(await open(dir), 'rel-1', 4);
    await closeAll();
    await editEntry(dir, 'rel-1', 2);
    const edited = await readFile(logOf(dir, 'rel-1'));
    const store = await open(dir);
    const refused = await rejection(editRelease(store, 'rel-1', (release) => (release.name = 'Over the evidence')));
    expect(refused.message).toBe('release "rel-1" is read-only: its record fails verification at entry 2');
    expect(await readFile(logOf(dir, 'rel-1'))).toEqual(edited);
  });

  it('finds a tampered release by the sweep after start when nobody uses it', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    for (const id of ['a', 'b', 'c']) await releaseWithHistory(first, id, 3);
    await closeAll();
    await editEntry(dir, 'c', 2);
    let found!: (message: string) => void;
    const sweepFound = new Promise<string>((resolve) => (found = resolve));
    const store = await open(dir, {
      sweepAfterMs: 0,
      log: (message) => {
        if (message.includes('quarantined')) found(message);
      },
    });
    expect(await sweepFound).toBe(`${logOf(dir, 'c')}: quarantined (read-only), its record fails verification at entry 2: Entry 2 was edited: its content no longer matches its hash.`);
    expect((await store.quarantine('c'))?.seq).toBe(2);
  });

  it('delivers no message of a tampered release, though nothing else asked about it', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    await releaseWithHistory(first, 'bad', 2, [message('checklist:bad')]);
    await releaseWithHistory(first, 'good', 2, [message('checklist:good')]);
    await closeAll();
    await editEntry(dir, 'bad', 2);
    const store = await open(dir);
    const claimed = await store.claimDue(new Date('2019-11-05T09:00:00.000Z'), 10, { holder: 'replica-1', leaseMs: 30_000, platforms: ['console'] });
    expect(claimed.map((item) => item.message.id)).toEqual(['checklist:good']);
  });

  it('still cuts a log’s torn last line at start, reading the whole log to do it', async () => {
    const dir = await dataDir();
    await releaseWithHistory(await open(dir), 'rel-1', 2);
    await closeAll();
    const whole = await readFile(logOf(dir, 'rel-1'), 'utf8');
    await appendFile(logOf(dir, 'rel-1'), '{"actor":{"id":"console:dan","platfo');
    const logged: string[] = [];
    const store = await open(dir, { log: (message) => logged.push(message) });
    expect(await readFile(logOf(dir, 'rel-1'), 'utf8')).toBe(whole);
    expect(logged.some((message) => message.startsWith(`${logOf(dir, 'rel-1')}: cut 36 bytes at its end, written by a commit that never completed`))).toBe(true);
    await editRelease(store, 'rel-1', (release) => (release.name = 'Written after the repair'));
    expect((await store.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
  });

  it('still cuts outbox lines of a commit that never completed, when the log needs nothing put right', async () => {
    const dir = await dataDir();
    await releaseWithHistory(await open(dir), 'rel-1', 1, [message('checklist:rel-1')]);
    await closeAll();
    const outbox = await readFile(outboxOf(dir, 'rel-1'), 'utf8');
    const state = JSON.parse(await readFile(join(dir, 'releases', 'rel-1.state.json'), 'utf8')) as { revision: number };
    // Step 2 of a commit whose next-state file was already removed by a recovery that then died.
    await appendFile(outboxOf(dir, 'rel-1'), `${JSON.stringify({ revision: state.revision + 1, messages: [message('never-sent')] })}\n`);
    const logged: string[] = [];
    const store = await open(dir, { log: (message) => logged.push(message) });
    expect(await readFile(outboxOf(dir, 'rel-1'), 'utf8')).toBe(outbox);
    expect(logged.some((message) => message.startsWith(`${outboxOf(dir, 'rel-1')}: cut`))).toBe(true);
    expect((await store.outbox('rel-1')).map((message) => message.id)).toEqual(['checklist:rel-1']);
  });
});
