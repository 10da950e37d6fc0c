import { storeRejection as rejection } from './support/store-rejection.js';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../src/app/store-port.js';
import { exportJsonl, stateHashOf } from '../src/domain/audit.js';
import { verifyRecord } from '../src/domain/record-verify.js';
import { nodeReleaseFs } from '../store/json/release-fs.js';
import { createReleaseFiles, openReleaseFiles, scanReleaseFolder, type ReleaseFiles, type ReleaseFilesOptions } from '../store/json/release-files.js';
import { change, countingFs, entries, entryAfter, message, namesIn, newRelease, releasesFolder, removeFolders, tally, withIssues } from './support/json-release-files.js';

afterEach(removeFolders);

async function reopen(folder: string, id = 'rel-1', options: ReleaseFilesOptions = {}): Promise<ReleaseFiles> {
  const files = await openReleaseFiles(folder, id, options);
  if (!files) throw new Error(`release ${id} did not open`);
  return files;
}

describe('the append-only release files', () => {
  it('keep a small state, the chain one entry a line, and the outbox beside them', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    const seq = await files.transact((current) => change(current, 3, { outbox: [message('decision:rel-1:0')] }));
    expect(seq).toBe(2);

    expect(await namesIn(folder)).toEqual(['rel-1.audit.jsonl', 'rel-1.outbox.jsonl', 'rel-1.state.json']);
    const state = JSON.parse(await readFile(join(folder, 'rel-1.state.json'), 'utf8'));
    expect(Object.keys(state).sort()).toEqual(['head', 'release', 'revision', 'version']);
    expect(state).toMatchObject({ version: 2, revision: 2, head: { seq: 2 } });
    expect(state.head.stateHash).toBe(stateHashOf(state.release));
    const audit = await files.audit();
    // The log is exactly the audit export: canonical JSON, one entry a line.
    expect(await readFile(join(folder, 'rel-1.audit.jsonl'), 'utf8')).toBe(exportJsonl(audit));
    expect(verifyRecord({ release: state.release, audit })).toMatchObject({ ok: true, entries: 2 });
    expect((await files.outbox()).map((m) => m.id)).toEqual(['checklist:rel-1', 'decision:rel-1:0']);
  });

  it('read the same back after reopening', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    await files.transact((current) => change(current, 3));
    await files.transact(() => ({ outbox: [message('checklist:rel-1', { status: 'sent', attempts: 1, sentAt: '2019-11-04T09:05:00.000Z', messageRef: 'ts-1' })], result: undefined }));
    await files.transact(() => ({ refusals: tally(2), result: undefined }));
    const before = { stored: await files.get(), audit: await files.audit(), outbox: await files.outbox() };
    await files.close();

    const again = await reopen(folder);
    expect({ stored: await again.get(), audit: await again.audit(), outbox: await again.outbox() }).toEqual(before);
    expect(before.outbox).toEqual([expect.objectContaining({ id: 'checklist:rel-1', status: 'sent', messageRef: 'ts-1' })]);
    expect(before.stored.refusals?.count).toBe(2);
    expect(again.quarantine).toBeUndefined();
  });

  it('give each caller its own copy, and fn the latest committed state', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    const got = await files.get();
    got.release.name = 'changed by a caller';
    (await files.outbox())[0]!.status = 'dead';
    expect((await files.get()).release.name).toBe('Release rel-1');
    expect((await files.outbox())[0]!.status).toBe('pending');

    // Two writes queued at once: the second sees the first.
    const [a, b] = await Promise.all([files.transact((current) => change(current, 1)), files.transact((current) => change(current, 2))]);
    expect([a, b]).toEqual([2, 3]);
    expect((await files.get()).release.facts.testingIssues?.count).toBe(2);
  });

  it('read a range of the audit, or the entry of a request, by offset', async () => {
    const folder = await releasesFolder();
    const counting = countingFs();
    const files = await createReleaseFiles(folder, newRelease(), { fs: counting.fs });
    const current = await files.get();
    const release = withIssues(current.release, 1);
    const more = entries(current.head, release, 50);
    await files.transact(() => ({ release, append: more, result: undefined }));
    const request = entryAfter(more[more.length - 1], release, '/release confirm no-sev-1-2 met', { request: 'slack:req-7' });
    await files.transact(() => ({ append: [request], result: undefined }));

    counting.reset();
    const range = await files.audit({ fromSeq: 10, toSeq: 12 });
    expect(range.map((e) => e.seq)).toEqual([10, 11, 12]);
    // Three lines read, not the log.
    const lineBytes = range.reduce((sum, entry) => sum + Buffer.byteLength(`${JSON.stringify(entry)}\n`), 0);
    expect(counting.counts.read).toBeLessThanOrEqual(lineBytes + 10);
    expect((await files.audit({ fromSeq: 51 })).map((e) => e.seq)).toEqual([51, 52]);
    expect((await files.audit({ toSeq: 2 })).map((e) => e.seq)).toEqual([1, 2]);
    expect(await files.audit({ fromSeq: 60 })).toEqual([]);
    expect(await files.auditByRequest('slack:req-7')).toEqual(request);
    expect(await files.auditByRequest('slack:other')).toBeUndefined();

    await files.close();
    const again = await reopen(folder);
    expect(await again.auditByRequest('slack:req-7')).toEqual(request);
    expect((await again.audit()).length).toBe(52);
  });

  it('keep the newest version of each message, and compact the outbox file once it is mostly superseded', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease('rel-1', [message('m-1'), message('m-2')]), { compactOutboxAt: 2000 });
    const outboxFile = join(folder, 'rel-1.outbox.jsonl');
    for (let attempt = 1; attempt <= 12; attempt++) {
      await files.transact(() => ({ outbox: [message('m-1', { attempts: attempt })], result: undefined }));
    }
    const lines = (await readFile(outboxFile, 'utf8')).trim().split('\n');
    // Compacted: fewer lines than the 13 written, and holding the newest versions only.
    expect(lines.length).toBeLessThan(13);
    expect((await files.outbox()).map((m) => [m.id, m.attempts])).toEqual([
      ['m-1', 12],
      ['m-2', 0],
    ]);
    await files.close();
    const again = await reopen(folder);
    expect((await again.outbox()).map((m) => [m.id, m.attempts])).toEqual([
      ['m-1', 12],
      ['m-2', 0],
    ]);
    expect(await namesIn(folder)).toEqual(['rel-1.audit.jsonl', 'rel-1.outbox.jsonl', 'rel-1.state.json']);
  });

  it('write nothing for a commit that changes nothing', async () => {
    const folder = await releasesFolder();
    const counting = countingFs();
    const files = await createReleaseFiles(folder, newRelease(), { fs: counting.fs });
    counting.reset();
    expect(await files.transact((current) => ({ release: current.release, result: 'same' }))).toBe('same');
    expect(counting.counts.written).toBe(0);
  });

  it('refuse a commit that breaks the chain or leaves the state unsealed, and change nothing', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    const before = await readFile(join(folder, 'rel-1.state.json'), 'utf8');
    const current = await files.get();
    const release = withIssues(current.release, 4);

    expect((await rejection(files.transact(() => ({ release, result: 0 })))).message).toMatch(/must append the audit entry that seals it/);
    const skipping = entries(current.head, release, 2)[1]!;
    expect((await rejection(files.transact(() => ({ release, append: [skipping], result: 0 })))).message).toMatch(/does not continue the chain from entry 1/);
    const sealingOld = entryAfter(current.head, current.release, '/release facts issues 4');
    expect((await rejection(files.transact(() => ({ release, append: [sealingOld], result: 0 })))).message).toMatch(/does not seal the state it leaves/);
    expect((await rejection(files.transact(() => ({ outbox: [{ id: 'x' } as never], result: 0 })))).message).toMatch(/outbox message 1 of this write is not valid/);
    expect((await rejection(files.transact(() => ({ release: { ...release, id: 'rel-2' }, result: 0 })))).message).toMatch(/cannot change its id/);
    await expect(files.transact(() => Promise.reject(new Error('the change itself failed')))).rejects.toThrow('the change itself failed');

    expect(await readFile(join(folder, 'rel-1.state.json'), 'utf8')).toBe(before);
    expect((await files.audit()).length).toBe(1);
    expect(await files.transact((c) => change(c, 4))).toBe(2);
  });

  it('refuse to create a release whose files exist', async () => {
    const folder = await releasesFolder();
    await createReleaseFiles(folder, newRelease());
    expect((await rejection(createReleaseFiles(folder, newRelease()))).message).toMatch(/already exists/);
    await writeFile(join(folder, 'rel-2.json'), '{}');
    expect((await rejection(createReleaseFiles(folder, newRelease('rel-2')))).message).toMatch(/already exists/);
  });

  it('never write over a state file changed behind their back', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    const statePath = join(folder, 'rel-1.state.json');
    const edited = (await readFile(statePath, 'utf8')).replace('Release rel-1', 'Release rel-X');
    await writeFile(statePath, edited);

    const error = await rejection(files.transact((current) => change(current, 1)));
    expect(error.message).toBe(`${statePath} was changed on disk by something other than this golive since it was loaded; nothing was written. Restart golive to load it again (start-up checks it).`);
    expect(await readFile(statePath, 'utf8')).toBe(edited);
    expect((await readFile(join(folder, 'rel-1.audit.jsonl'), 'utf8')).split('\n').length).toBe(2);
  });

  it('never append to a log changed behind their back', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    const logPath = join(folder, 'rel-1.audit.jsonl');
    await writeFile(logPath, `${await readFile(logPath, 'utf8')}{"forged":true}\n`);
    expect((await rejection(files.transact((current) => change(current, 1)))).message).toMatch(/rel-1\.audit\.jsonl was changed on disk/);
  });

  it('quarantine a release whose log was edited: chain verification at open names the entry, and no write is taken', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    for (let issues = 1; issues <= 3; issues++) await files.transact((current) => change(current, issues));
    await files.close();
    const logPath = join(folder, 'rel-1.audit.jsonl');
    const log = await readFile(logPath, 'utf8');
    await writeFile(logPath, log.replace('/release facts issues 2', '/release facts issues 9'));

    const logged: string[] = [];
    const again = await reopen(folder, 'rel-1', { log: (m) => logged.push(m) });
    expect(again.quarantine).toEqual({ seq: 3, message: 'Entry 3 was edited: its content no longer matches its hash.' });
    expect(logged.join('\n')).toMatch(/quarantined \(read-only\), its record fails verification at entry 3/);
    // Still readable, never written.
    expect((await again.audit()).length).toBe(4);
    expect((await rejection(again.transact((current) => change(current, 5)))).message).toBe('release "rel-1" is read-only: its record fails verification at entry 3');
    expect(await readFile(logPath, 'utf8')).not.toBe(log);
  });

  it('quarantine, touching nothing, a log that lost the entry the state ends at', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    await files.transact((current) => change(current, 1));
    await files.close();
    const logPath = join(folder, 'rel-1.audit.jsonl');
    const firstLine = (await readFile(logPath, 'utf8')).split('\n')[0]!;
    await writeFile(logPath, `${firstLine}\n`);

    const again = await reopen(folder);
    expect(again.quarantine?.seq).toBe(2);
    expect(again.quarantine?.message).toMatch(/the log does not hold it: entries were removed from the log/);
    expect(await readFile(logPath, 'utf8')).toBe(`${firstLine}\n`);
  });

  it('stop opening, naming the file and line, when a line inside the log is not JSON', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    await files.transact((current) => change(current, 1));
    await files.close();
    const logPath = join(folder, 'rel-1.audit.jsonl');
    const [first, second] = (await readFile(logPath, 'utf8')).split('\n');
    await writeFile(logPath, `${first!.slice(0, 40)}\n${second}\n`);
    const error = await rejection(openReleaseFiles(folder, 'rel-1'));
    expect(error.message).toMatch(/rel-1\.audit\.jsonl: line 1 is not valid JSON/);
    expect(error.file).toBe(logPath);
  });

  it('are found by scanning the folder, temp files and strays apart', async () => {
    const folder = await releasesFolder();
    await createReleaseFiles(folder, newRelease('rel-b'));
    await createReleaseFiles(folder, newRelease('rel-a'));
    await writeFile(join(folder, 'old-one.json'), '{}');
    await writeFile(join(folder, 'notes.txt'), '');
    await writeFile(join(folder, '.rel-a.outbox.jsonl.123.tmp'), '');
    await writeFile(join(folder, 'gone.v1.json.bak'), '{}');
    expect(await scanReleaseFolder(folder)).toMatchObject({ ids: ['old-one', 'rel-a', 'rel-b'], strays: ['notes.txt'], temps: ['.rel-a.outbox.jsonl.123.tmp'] });
    expect(await openReleaseFiles(folder, 'nothing-here')).toBeUndefined();
  });

  it('refuse writes once closed', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    await files.close();
    expect((await rejection(files.transact((current) => change(current, 1)))).message).toBe('the store is closed');
  });

  it('count refused repeats beside the chain and seal them with the next entry', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    await files.transact((current) => ({ append: [entryAfter(current.head, current.release, '/release decide go', { outcome: 'refused' })], result: undefined }));
    await files.transact(() => ({ refusals: tally(3), result: undefined }));
    expect((await files.get()).refusals?.count).toBe(3);
    await files.transact((current) => change(current, 1, { refusals: null }));
    const stored = await files.get();
    expect(stored.refusals).toBeUndefined();
    expect(stored.head?.seq).toBe(3);
  });
});

describe('a write under way', () => {
  it('is not seen by readers until it is on disk', async () => {
    const folder = await releasesFolder();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let reached!: () => void;
    const atAppend = new Promise<void>((resolve) => (reached = resolve));
    let held = false;
    const fs = {
      ...nodeReleaseFs,
      append: async (path: string, data: string) => {
        if (path.endsWith('.audit.jsonl') && !held) {
          held = true;
          reached();
          await gate;
        }
        return nodeReleaseFs.append(path, data);
      },
    };
    const files = await createReleaseFiles(folder, newRelease(), { fs });
    const writing = files.transact((current) => change(current, 8, { outbox: [message('decision:rel-1:0')] }));
    await atAppend;
    expect((await files.get()).head?.seq).toBe(1);
    expect((await files.audit()).length).toBe(1);
    expect((await files.outbox()).length).toBe(1);
    open();
    await writing;
    expect((await files.get()).head?.seq).toBe(2);
    expect((await files.audit()).map((e) => e.seq)).toEqual([1, 2]);
    expect((await files.outbox()).length).toBe(2);
  });

  it('is shown to beforeWrite, which may refuse it before anything is written, and is told when it settles', async () => {
    const folder = await releasesFolder();
    const counting = countingFs();
    const files = await createReleaseFiles(folder, newRelease(), { fs: counting.fs });
    counting.reset();
    const refused = files.transact((current) => change(current, 2), {
      beforeWrite: () => {
        throw new StoreError('channel console:C-other already follows release "rel-2"');
      },
    });
    await expect(refused).rejects.toThrow('already follows release "rel-2"');
    const refusedLater = files.transact((current) => change(current, 2), { beforeWrite: () => Promise.reject(new StoreError('the index file was changed on disk')) });
    await expect(refusedLater).rejects.toThrow('the index file was changed on disk');
    expect(counting.counts.written).toBe(0);
    expect((await files.get()).head?.seq).toBe(1);

    const seen: string[] = [];
    await files.transact((current) => change(current, 3), {
      beforeWrite: (next, current) => {
        seen.push(`claim ${current.head?.seq}->${next.head?.seq} issues ${next.release.facts.testingIssues?.count}`);
        return () => seen.push('settled');
      },
    });
    expect(seen).toEqual(['claim 1->2 issues 3', 'settled']);
  });
});

describe('files that no crash leaves', () => {
  it('a torn last line the state refers to is not cut: the release is quarantined and the log left as it is', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    await files.transact((current) => change(current, 1));
    await files.close();
    const logPath = join(folder, 'rel-1.audit.jsonl');
    const log = await readFile(logPath, 'utf8');
    const torn = log.slice(0, log.length - 40);
    await writeFile(logPath, torn);

    const again = await reopen(folder);
    expect(again.quarantine).toMatchObject({ seq: 2 });
    expect(await readFile(logPath, 'utf8')).toBe(torn);
    expect((await again.audit()).map((e) => e.seq)).toEqual([1]);
  });

  it('a state file replaced by an older copy: entries after its head, no commit under way, quarantined', async () => {
    const folder = await releasesFolder();
    const files = await createReleaseFiles(folder, newRelease());
    const statePath = join(folder, 'rel-1.state.json');
    const older = await readFile(statePath, 'utf8');
    await files.transact((current) => change(current, 1));
    await files.close();
    await writeFile(statePath, older);

    const logged: string[] = [];
    const again = await reopen(folder, 'rel-1', { log: (m) => logged.push(m) });
    expect(again.quarantine?.message).toMatch(/holds entries after entry 1, the state's newest, that no commit under way explains: the state file was replaced by an older copy/);
    expect(logged.join('\n')).toMatch(/quarantined \(read-only\), its files do not fit together/);
    expect(await readFile(statePath, 'utf8')).toBe(older);
    expect(await namesIn(folder)).toEqual(['rel-1.audit.jsonl', 'rel-1.outbox.jsonl', 'rel-1.state.json']);
  });

  it('a log or outbox with no state file beside it stops the open, naming it', async () => {
    const folder = await releasesFolder();
    await createReleaseFiles(folder, newRelease());
    await rm(join(folder, 'rel-1.state.json'));
    const error = await rejection(openReleaseFiles(folder, 'rel-1'));
    expect(error.message).toMatch(/rel-1\.audit\.jsonl: there is no .*rel-1\.state\.json beside it/);
    expect(await namesIn(folder)).toEqual(['rel-1.audit.jsonl', 'rel-1.outbox.jsonl']);
  });
});
