import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';
import { editRelease } from './support/store-records.js';
import { release as minimalRelease } from './support/port-records.js';
import { deepFreeze } from '../src/domain/deep-freeze.js';
import { evaluate } from '../src/domain/readiness.js';
import { rememberedStatusView } from '../src/views/status-remembered.js';
import { statusView } from '../src/views/status.js';

// A status reads the store's frozen shared copy of the release and its evaluation is remembered
// per copy (Store.shared, evaluate): each status after a change must show the change, and one
// after time passed must show the time, although nothing else about the release moved.

const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release role DCC dan
/release group opsg members olivia oscar --quorum 2
`;

describe('a status after a change shows the change', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());
  const status = async () => (await h.run('/release status')).output;

  it('after an answer and a sign-off', async () => {
    const before = await status();
    expect(before).toContain('[ ] 1. code-ready');
    expect(before).toContain('WAITING OPSG sign-off: 0 of 2 needed');
    await h.run('/release confirm code-ready met', 'dan');
    const answered = await status();
    expect(answered).toContain('[x] 1. code-ready');
    expect(answered).not.toContain('WAITING 1. code-ready');
    await h.run('/release signoff opsg agree "fine"', 'olivia');
    expect(await status()).toContain('WAITING OPSG sign-off: 1 of 2 needed · owner @oscar');
  });

  it('after the date moved: the new date, and the answer given before it is stale', async () => {
    await h.run('/release confirm code-ready met', 'dan');
    expect(await status()).toContain('[x] 1. code-ready');
    await h.run('/release date 2019-12-03 "extra testing"');
    const moved = await status();
    expect(moved).toContain('Implementation: 3 Dec 2019 09:00 (Europe/London)');
    expect(moved).not.toContain('[x] 1. code-ready');
    expect(moved).toMatch(/1\. code-ready: .*must be confirmed again|stale/);
  });

  it('after time passed with nothing changed: the implementation date shows as passed', async () => {
    expect(await status()).toContain('Implementation: 29 Nov 2019 09:00 (Europe/London), in 21 days 23 hours');
    h.clock.set('2019-11-30T09:00:00Z');
    expect(await status()).toContain('Implementation: 29 Nov 2019 09:00 (Europe/London), passed 1 day ago');
  });
});

describe("the store's shared copy", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());

  it('is the same object while nothing is written, cannot be changed, and a write gives a new one', async () => {
    const first = (await h.store.shared!('nov'))!;
    expect(await h.store.shared!('nov')).toHaveProperty('release', first.release);
    expect(() => {
      first.release.name = 'Changed';
    }).toThrow(TypeError);
    expect(() => first.release.criteria[0]!.responses.push(first.release.criteria[0]!.responses[0]!)).toThrow(TypeError);
    expect((await h.store.get('nov'))!.release.name).toBe('Nov');
    // get still hands out the caller's own copy, which it may change.
    const own = (await h.store.get('nov'))!;
    own.release.name = 'Mine';
    expect((await h.store.get('nov'))!.release.name).toBe('Nov');

    await editRelease(h.store, 'nov', (release) => {
      release.name = 'Renamed';
    });
    const after = (await h.store.shared!('nov'))!;
    expect(after.release).not.toBe(first.release);
    expect(after.release.name).toBe('Renamed');
    // What was handed out before the write still means the version it was read at.
    expect(first.release.name).toBe('Nov');
    expect(after.head!.seq).toBe(first.head!.seq + 1);
  });
});

it('a status of a record found tampered when it is first used after a restart shows the quarantine, not a verdict', async () => {
  const h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  await h.run('/release confirm code-ready met', 'dan');
  expect((await h.run('/release status')).output).toContain('Nov: PENDING');
  await h.close(false);
  // The command of entry 2 edited, every line still valid JSON: only verification finds it.
  const log = join(h.dir, 'releases', 'nov.audit.jsonl');
  const lines = (await readFile(log, 'utf8')).split('\n');
  const entry = JSON.parse(lines[1]!) as { command: string };
  entry.command = '/release decide go';
  lines[1] = JSON.stringify(entry);
  await writeFile(log, lines.join('\n'));
  const again = await Harness.open('2019-11-07T10:00:00Z', h.dir);
  try {
    const shown = (await again.run('/release status nov')).output;
    expect(shown).toContain('Entry 2 was edited');
    expect(shown).not.toContain('Nov: PENDING');
  } finally {
    await again.close();
  }
});

it('a view is kept for a few releases at a time, each what statusView would build, and found again only for the same version', () => {
  const now = new Date('2019-11-07T09:00:00Z');
  const releases = Array.from({ length: 17 }, (_, i) => deepFreeze(minimalRelease(`rel-${i}`)));
  const view = (release: (typeof releases)[number]) => rememberedStatusView(release, evaluate(release, now), now, [], undefined);
  const first = view(releases[0]!);
  expect(first).toEqual(statusView(releases[0]!, evaluate(releases[0]!, now), now));
  expect(view(releases[0]!)).toBe(first);
  // Another version of the same release (same id, same head: none) is not taken for this one.
  const renamed = deepFreeze({ ...releases[0]!, name: 'Renamed' });
  expect(JSON.stringify(view(renamed))).toContain('Renamed');
  // Sixteen other releases asked for since: the first is built again (equal), not kept for ever.
  for (const other of releases.slice(1)) view(other);
  const again = view(releases[0]!);
  expect(again).not.toBe(first);
  expect(again).toEqual(first);
});
