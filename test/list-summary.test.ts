import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluate, summarize, type ReadinessSummary } from '../src/domain/readiness.js';
import { Harness } from './support/golive.js';

// `/release list` works out only what a row shows (summarize), not the detail of a status. Each row
// must still say what a status says: the same verdict, override, number of blockers and due time,
// at every step of the seed scenario and of what can follow it (an override, a NO-GO, a decision
// made stale by newer figures).

const SCRIPT = await readFile(new URL('../examples/sec-release-2019.txt', import.meta.url), 'utf8');
const AFTER = `
/as pat
/release decide go "Window cannot move" --override "Owners confirm the fix by phone"
/release decide no-go "Wait for the fix"
/as rita
/release facts defects sev2=0
/release facts issues 40 --threshold 30
`;

describe('a row of /release list', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it("says evaluate's verdict, override, number of blockers and due time at every step", async () => {
    h = await Harness.open('2019-11-04T09:00:00Z');
    let user = 'rita';
    const seen = new Set<string>();
    for (const line of `${SCRIPT}\n${AFTER}`.split('\n').map((l) => l.trim())) {
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('/as ')) {
        user = line.slice(4);
        continue;
      }
      const { status, output } = await h.run(line, user);
      expect(status, output).toBe(0);
      const stored = await h.store.get('nov-2019-sec');
      if (!stored) continue;
      const now = h.clock.now();
      const full = evaluate(stored.release, now);
      const expected: ReadinessSummary = { verdict: full.verdict, ...(full.override && { override: full.override }), blockerCount: full.blockers.length, due: full.due };
      expect(summarize(stored.release, now), line).toEqual(expected);
      seen.add(full.override ? 'GO (override)' : full.verdict);
      if (full.decision?.stale) seen.add(`stale ${full.decision.decision.verdict}`);
    }
    expect([...seen].sort()).toEqual(['GO', 'GO (override)', 'NO-GO', 'PENDING', 'stale go', 'stale no-go']);

    const listed = await h.as('rita', '/release list');
    const status = await h.as('rita', '/release status');
    // What people see: the row's verdict and count are the status's verdict and its list of blockers.
    expect(listed).toMatch(/NO-GO November 2019 SEC Release/);
    expect(status).toContain('November 2019 SEC Release: NO-GO');
    const count = Number(/ (\d+) blockers?\b/.exec(listed)?.[1]);
    expect(count).toBeGreaterThan(1);
    expect(status.match(/^(FAILED|WAITING) /gm)).toHaveLength(count);
  });
});
