import { stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';
import { readDoc, releaseFile, type RawDoc } from './support/tamper.js';
import { REFUSAL_WINDOW_MS, REFUSED_COMMAND_MAX } from '../src/app/usecases/change.js';
import { checkRecord } from '../src/app/record-check.js';
import { ReleaseDocument } from '../store/release-document.js';

// Case 9, its size part: one person's refused attempts cannot grow the release file without limit.

const ATTEMPTS = 4_000;
const START = Date.parse('2019-11-04T09:00:00Z');
// Within a minute (50 ms apart), then a second apart, then three seconds apart: about 70 minutes in all.
const GAP_MS = (n: number) => (n < 2_000 ? 50 : n < 3_000 ? 1_000 : 3_000);
/** A refused attempt is stored once per window: its own entry, then the repeats counted on one more. */
const ENTRIES_PER_WINDOW = 2;
/** Generous for one refused entry: a 300-character command, a reason, two hashes and the JSON around them. */
const ENTRY_BYTES_MAX = 2_500;

describe('a flood of refused attempts by one person', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('is counted, not stored 4,000 times: the file stays small, the chain verifies, the counts add up, a later answer is recorded', async () => {
    h = await Harness.open('2019-11-01T09:00:00Z');
    await h.run('/channel c-nov\n/release create "Nov" 2019-11-29 --id nov\n/release role DCC dan');
    const baseline = (await readDoc(h.dir, 'nov')).audit.length;
    const baselineBytes = (await stat(releaseFile(h.dir, 'nov'))).size;

    // mallory owns nothing, so every confirm is refused; the comment makes each command about 2,000 characters.
    const text = `/release confirm code-ready met "${'pretend I own this. '.repeat(100)}"`;
    expect(text.length).toBeGreaterThan(2 * REFUSED_COMMAND_MAX);
    let at = START;
    let refusedReplies = 0;
    for (let n = 0; n < ATTEMPTS; n++) {
      h.clock.set(new Date(at).toISOString());
      const { replies } = await h.app.handle({ actor: { id: 'console:mallory', platform: 'console' }, channel: { platform: 'console', id: 'c-nov' }, text });
      if (replies.some((reply) => reply.kind === 'view' && reply.view.title === 'Not allowed')) refusedReplies += 1;
      at += GAP_MS(n);
    }
    expect(refusedReplies).toBe(ATTEMPTS);
    const span = at - START;

    const flooded: RawDoc = await readDoc(h.dir, 'nov');
    const refusedEntries = flooded.audit.slice(baseline);
    const windows = Math.ceil(span / REFUSAL_WINDOW_MS) + 1;
    expect(refusedEntries.length).toBeLessThanOrEqual(ENTRIES_PER_WINDOW * windows);
    expect(refusedEntries.length).toBeLessThan(ATTEMPTS / 20);
    expect((await stat(releaseFile(h.dir, 'nov'))).size).toBeLessThanOrEqual(baselineBytes + refusedEntries.length * ENTRY_BYTES_MAX);

    for (const entry of refusedEntries) {
      expect(entry).toMatchObject({ outcome: 'refused', actor: { id: 'console:mallory', platform: 'console' } });
      expect(entry.command.length).toBeLessThanOrEqual(REFUSED_COMMAND_MAX);
      expect(text.startsWith(entry.command)).toBe(true);
    }
    const sealedCount = (entries: RawDoc[]) => entries.reduce((sum, entry) => sum + (entry.count ?? 1), 0);
    expect(sealedCount(refusedEntries) + (flooded.refusals?.count ?? 0)).toBe(ATTEMPTS);
    expect(checkRecord(ReleaseDocument.parse(flooded), {})).toMatchObject({ ok: true });

    // Someone allowed answers: recorded, after the outstanding repeats are sealed, and the record verifies.
    h.clock.set(new Date(at + 60_000).toISOString());
    const answer = await h.run('/channel c-nov\n/release confirm code-ready met "done"\n/release audit verify', 'dan');
    expect(answer.output).toContain('Recorded: criterion 1 (code-ready) met.');
    expect(answer.output).toContain('Audit record intact');
    const after: RawDoc = await readDoc(h.dir, 'nov');
    expect(after.refusals).toBeUndefined();
    const refusedAfter = after.audit.filter((entry: RawDoc) => entry.outcome === 'refused');
    expect(sealedCount(refusedAfter)).toBe(ATTEMPTS);
    expect(after.audit.at(-1)).toMatchObject({ outcome: 'applied', actor: { id: 'console:dan' } });
    expect(after.release.criteria[0].responses.at(-1)).toMatchObject({ answer: 'met', by: 'console:dan', comment: 'done' });
  }, 120_000);
});
