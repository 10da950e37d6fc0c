import { afterEach, describe, expect, it } from 'vitest';
import { createReleaseFiles, openReleaseFiles } from '../store/json/release-files.js';
import { change, countingFs, entries, message, newRelease, releasesFolder, removeFolders, withIssues } from './support/json-release-files.js';

// A write's cost must not grow with the history before it: counted in bytes through the file
// system, not timed (timing is the benchmark's job).

afterEach(removeFolders);

async function costOfOneWrite(history: number) {
  const folder = await releasesFolder();
  const made = await createReleaseFiles(folder, newRelease());
  const current = await made.get();
  const release = withIssues(current.release, 1);
  await made.transact(() => ({ release, append: entries(current.head, release, history - 1), result: undefined }));
  await made.close();

  const counting = countingFs();
  const files = (await openReleaseFiles(folder, 'rel-1', { fs: counting.fs }))!;
  expect((await files.get()).head?.seq).toBe(history);
  counting.reset();
  await files.transact((now) => change(now, 2, { outbox: [message('decision:rel-1:0')] }));
  const write = { ...counting.counts };
  counting.reset();
  const tail = await files.audit({ fromSeq: history + 1 });
  expect(tail.map((e) => e.seq)).toEqual([history + 1]);
  return { written: write.written, read: write.read, tailRead: counting.counts.read };
}

describe('the cost of a write', () => {
  it('is the same with 20,000 entries in the log as with 10: no byte of the history is written or read again', async () => {
    const small = await costOfOneWrite(10);
    const large = await costOfOneWrite(20_000);
    // Only the numbers grow: entry 20001 is written with three more digits than entry 11, in its line and the state's head.
    expect(large.written - small.written).toBeGreaterThanOrEqual(0);
    expect(large.written - small.written).toBeLessThanOrEqual(16);
    expect(large.read - small.read).toBeLessThanOrEqual(16);
    expect(large.tailRead - small.tailRead).toBeLessThanOrEqual(8);
    // And what it does write is the state, one entry and one outbox line: a few kilobytes.
    expect(small.written).toBeLessThan(4096);
  }, 60_000);
});
