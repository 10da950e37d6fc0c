import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordVerifier } from '../src/app/record-check.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { withHistory } from '../bench/long-history.js';
import { seedVariant, specOf, type Variant } from '../bench/seed-variants.js';
import { writeCopies } from '../bench/seeded-store.js';

// The benchmark's seeded store must be what golive itself would leave: every copy verifies at
// open (nothing quarantined), both templates are there, and the releases differ in how far along they are.

const NOW = new Date('2026-06-17T12:00:00Z');
let dir: string;
let variants: Variant[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'golive-bench-seed-test-'));
  variants = await Promise.all([0, 1, 2, 3].map((key) => seedVariant(specOf(key), NOW)));
  const long = withHistory(variants[1]!.doc, 3_000, 100);
  await writeCopies(
    dir,
    (n) => (n === 0 ? long : variants[n % variants.length]!.doc),
    12,
    undefined,
    (n) => (n === 5 ? [{ platform: 'slack', id: 'C0SEED' }] : []),
  );
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the seeded store of the benchmark', () => {
  it('opens with every record verified and none quarantined', async () => {
    const problems: string[] = [];
    const store = await openLowdbStore(dir, { verify: recordVerifier({}), log: (message) => void problems.push(message) });
    try {
      const ids = (await store.list()).map((r) => r.id);
      expect(ids).toHaveLength(12);
      for (const id of ids) expect(await store.quarantine(id), id).toBeUndefined();
      // The copies are written as version-1 documents: their conversion is said, and nothing else.
      expect(problems.filter((line) => !line.includes('converted to the append-only layout'))).toEqual([]);
      expect((await store.get('rel-0'))?.head?.seq).toBe(3_000);
      expect((await store.get('rel-5'))?.release.channels).toEqual([{ platform: 'slack', id: 'C0SEED' }]);
    } finally {
      await store.close();
    }
  });

  it('holds releases from both templates, decided and closed ones beside ones still being answered', async () => {
    const store = await openLowdbStore(dir, { verify: recordVerifier({}) });
    try {
      const releases = await Promise.all((await store.list()).map(async ({ id }) => (await store.get(id))!.release));
      expect(new Set(releases.map((r) => r.template))).toEqual(new Set(['sec-release', 'software-release']));
      expect(releases.some((r) => r.outcome?.result !== undefined && r.decisions.some((d) => d.verdict === 'go'))).toBe(true);
      const open = releases.filter((r) => r.outcome === undefined);
      expect(open.length).toBeGreaterThan(0);
      const answers = new Set(open.flatMap((r) => r.criteria.map((c) => c.responses.at(-1)?.answer ?? 'none')));
      expect(answers.size).toBeGreaterThan(1);
      expect(releases.every((r) => Object.keys(r.roles).length > 0 && r.switches.length > 0)).toBe(true);
      expect(releases.some((r) => r.risks.length > 0 && r.groups.some((g) => g.signoffs.length > 0))).toBe(true);
    } finally {
      await store.close();
    }
  });
});
