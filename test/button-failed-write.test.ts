import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeReleaseFs, type ReleaseFs } from '../store/json/release-fs.js';
import { INBOX_FILE } from '../store/inbox-file.js';
import { ANSWER_FORM } from '../src/app/language/action-ids.js';
import { SlackHarness, CHANNEL } from './support/slack-harness.js';
import { readRaw, releaseText } from './support/release-on-disk.js';

// A button goes through the same entry point as a typed command: when the disk refuses the write
// the click causes (here, the audit of a refused answer), the person is told nothing was saved.

const RITA = 'URITA';
const DAN = 'UDAN';
const MALLORY = 'UMALLORY';
const R = 'small';
const NOT_SAVED = /Nothing was saved|Something went wrong and nothing was recorded/;

describe('a button press whose write the disk refuses', () => {
  let h: SlackHarness;
  let broken = false;
  // Appending to the audit log is a write's commit point: failing it leaves nothing of the write.
  const releaseFs: ReleaseFs = { ...nodeReleaseFs, append: async (path, data) => (broken ? Promise.reject(new Error('EIO: i/o error (simulated)')) : nodeReleaseFs.append(path, data)) };
  const answerValue = JSON.stringify({ r: R, c: 'code-ready' });

  beforeEach(async () => {
    broken = false;
    h = await SlackHarness.open('2019-11-07T09:00:00Z', undefined, {}, { releaseFs });
    await h.command(RITA, `create "Small" 2019-11-29 --id ${R}`);
    await h.command(RITA, `role DCC <@${DAN}>`);
  });
  afterEach(() => h.close());

  it('tells a non-owner nothing was saved, writes nothing, and audits the refusal once the disk works', async () => {
    const saved = await releaseText(h.dir, R);
    const entries = (await h.doc(R)).audit.length;
    broken = true;

    const before = h.fake.calls.length;
    expect((await h.click(MALLORY, 'golive:answer:met', answerValue)).status).toBe(200);
    const told = h.repliesSince(before, MALLORY);
    expect(told).toMatch(NOT_SAVED);
    expect(told).not.toContain('only its owners or their delegates');
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
    expect(await releaseText(h.dir, R)).toBe(saved);
    expect((await h.doc(R)).audit).toHaveLength(entries);
    // The request was handled (and said so), so it is not replayed at the next start.
    const inbox = (await readFile(join(h.dir, INBOX_FILE), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; outcome?: string });
    expect(inbox.at(-1)).toMatchObject({ type: 'done', outcome: expect.stringMatching(NOT_SAVED) });

    broken = false;
    const again = h.fake.calls.length;
    await h.click(MALLORY, 'golive:answer:met', answerValue);
    expect(h.repliesSince(again, MALLORY)).toContain('only its owners or their delegates can answer it');
    const onDisk = (await readRaw(h.dir, R)) as { audit: Array<{ outcome: string; actor: { id: string }; command: string }> };
    expect(onDisk.audit).toHaveLength(entries + 1);
    expect(onDisk.audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: `slack:${MALLORY}` }, command: '/release confirm code-ready met (button)' });
  });

  it('still opens the form for an owner, which needs no write, and says nothing was saved when the answer cannot be', async () => {
    const saved = await releaseText(h.dir, R);
    broken = true;
    await h.click(DAN, 'golive:answer:not-met', answerValue);
    expect(h.fake.callsTo('views.open')).toHaveLength(1);

    const before = h.fake.calls.length;
    const metadata = JSON.stringify({ m: JSON.stringify({ r: R, c: 'code-ready', a: 'not-met' }), ch: CHANNEL });
    await h.submit(DAN, ANSWER_FORM, metadata, { evidence: { evidence: '' }, comment: { comment: 'Build is red' } });
    expect(h.repliesSince(before, DAN)).toMatch(NOT_SAVED);
    expect(await releaseText(h.dir, R)).toBe(saved);
    expect((await h.doc(R)).release.criteria.find((c) => c.id === 'code-ready')!.responses).toEqual([]);
  });
});
