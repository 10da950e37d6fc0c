import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReleaseDocument } from '../store/release-document.js';
import { StoreError } from '../src/app/store-port.js';
import { exportJsonl } from '../src/domain/audit.js';
import { verifyRecord } from '../src/domain/record-verify.js';
import { openReleaseFiles, type ReleaseFilesOptions } from '../store/json/release-files.js';
import { consolePeople, oldReleaseDocument } from './fixtures/old-records.js';
import { change, namesIn, releasesFolder, removeFolders, stepFs, tally } from './support/json-release-files.js';

// A version-1 document (release, whole chain, outbox and tally in one <id>.json) becomes the
// append-only layout at open, crash-safely, with the chain the same bytes.

afterEach(removeFolders);

const CONVERTED = ['old-1.audit.jsonl', 'old-1.outbox.jsonl', 'old-1.state.json', 'old-1.v1.json.bak'];

async function oldDocument(): Promise<ReleaseDocument> {
  const doc = await oldReleaseDocument('old-1', consolePeople);
  // Refused repeats counted after a refusal, as golive left them: carried into the state.
  const head = doc.audit[doc.audit.length - 1]!;
  return { ...doc, refusals: { ...tally(2), first: head.at, last: head.at } };
}

async function writtenV1(doc: ReleaseDocument): Promise<{ folder: string; text: string }> {
  const folder = await releasesFolder();
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  await writeFile(join(folder, 'old-1.json'), text);
  return { folder, text };
}

async function open(folder: string, options: ReleaseFilesOptions = {}) {
  const files = await openReleaseFiles(folder, 'old-1', options);
  if (!files) throw new Error('old-1 did not open');
  return files;
}

async function expectConverted(folder: string, doc: ReleaseDocument, text: string) {
  const files = await open(folder);
  expect(await namesIn(folder)).toEqual(CONVERTED);
  // The chain is the same bytes as the old document's, one entry a line, and still verifies.
  expect(await readFile(join(folder, 'old-1.audit.jsonl'), 'utf8')).toBe(exportJsonl(doc.audit));
  const audit = await files.audit();
  expect(audit).toEqual(doc.audit);
  const stored = await files.get();
  expect(stored).toEqual({ release: doc.release, head: doc.audit[doc.audit.length - 1], refusals: doc.refusals });
  expect(await files.outbox()).toEqual(doc.outbox);
  expect(verifyRecord({ release: stored.release, audit })).toEqual(verifyRecord(doc));
  expect(files.quarantine).toBeUndefined();
  // The old document is kept as it was.
  expect(await readFile(join(folder, 'old-1.v1.json.bak'), 'utf8')).toBe(text);
  return files;
}

describe('a version-1 release document', () => {
  it('is converted at open: the state, the chain byte for byte, the outbox and the tally; the old file kept as .v1.json.bak', async () => {
    const doc = await oldDocument();
    expect(verifyRecord(doc)).toMatchObject({ ok: true });
    const { folder, text } = await writtenV1(doc);
    const logged: string[] = [];
    await open(folder, { log: (m) => logged.push(m) });
    expect(logged.join('\n')).toMatch(/old-1\.json: converted to the append-only layout \(\d+ audit entries/);

    const files = await expectConverted(folder, doc, text);
    // And it goes on as any other release.
    await files.transact((current) => change(current, 5, { refusals: null }));
    const again = await open(folder);
    expect(verifyRecord({ release: (await again.get()).release, audit: await again.audit() })).toMatchObject({ ok: true, entries: doc.audit.length + 1 });
  });

  it('converted with a chain that does not verify, is quarantined with the same verdict', async () => {
    const doc = await oldDocument();
    doc.audit[2] = { ...doc.audit[2]!, command: '/release role Panel someone-else' };
    const verdict = verifyRecord(doc);
    expect(verdict.ok).toBe(false);
    const { folder } = await writtenV1(doc);
    const files = await open(folder);
    expect(files.quarantine).toEqual({ seq: (verdict as { seq: number }).seq, message: (verdict as { message: string }).message });
    expect(await readFile(join(folder, 'old-1.audit.jsonl'), 'utf8')).toBe(exportJsonl(doc.audit));
  });

  it('that does not parse stops the open, naming it, and nothing is written', async () => {
    const folder = await releasesFolder();
    await writeFile(join(folder, 'old-1.json'), '{"version": 1, "release": ');
    const error: unknown = await openReleaseFiles(folder, 'old-1').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/old-1\.json: is not valid JSON/);
    expect(await namesIn(folder)).toEqual(['old-1.json']);
  });

  it('holding another release id stops the open, and nothing is written', async () => {
    const doc = await oldDocument();
    const folder = await releasesFolder();
    await writeFile(join(folder, 'old-2.json'), JSON.stringify(doc));
    await expect(openReleaseFiles(folder, 'old-2')).rejects.toThrow(/holds release "old-1", but its file name says "old-2"/);
    expect(await namesIn(folder)).toEqual(['old-2.json']);
  });

  it('after a crash or a failure at each step of the conversion, is converted whole at the next open', async () => {
    const doc = await oldDocument();
    const reference = await writtenV1(doc);
    const steps = stepFs();
    await open(reference.folder, { fs: steps.fs });
    expect(steps.steps.map((step) => step.split(' ')[0])).toEqual(['create', 'create', 'create', 'syncFolder', 'rename', 'syncFolder', 'rename', 'syncFolder']);

    for (const [at, step] of steps.steps.entries()) {
      for (const how of ['die', 'tear', 'fail'] as const) {
        if (how === 'tear' && !step.startsWith('create')) continue;
        const { folder, text } = await writtenV1(doc);
        const broken = stepFs();
        broken.breakAt(at, how);
        await openReleaseFiles(folder, 'old-1', { fs: broken.fs }).catch(() => undefined);
        await expectConverted(folder, doc, text).catch((error: Error) => {
          throw new Error(`${how} at step ${at} (${step}): ${error.message}`);
        });
      }
    }
  });

  it('found beside its converted files and its backup, stops the open rather than choose', async () => {
    const doc = await oldDocument();
    const { folder, text } = await writtenV1(doc);
    await open(folder);
    await writeFile(join(folder, 'old-1.json'), text);
    await expect(openReleaseFiles(folder, 'old-1')).rejects.toThrow(/was converted already and .*old-1\.v1\.json\.bak exists too/);
  });
});
