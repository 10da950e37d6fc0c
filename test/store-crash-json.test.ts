import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderText } from '../adapters/console/render-text.js';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import { qualify } from '../src/domain/person-id.js';
import { verifyRecord } from '../src/domain/record-verify.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { stepFs } from './support/json-release-files.js';
import { recordOf } from './support/store-records.js';
import { TestClock } from './support/test-clock.js';

// golive killed (kill -9, simulated: every file operation from that step on fails, as nothing
// after it would happen) at each step of a change written through the app and the JSON store:
// started again, the store recovers, the change is there whole or not at all, `audit verify`
// passes, and the release takes the next change.

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

function appOn(store: Store, clock: TestClock) {
  const app = new GoliveApp({ store, clock, directory: noGroups });
  return async (text: string, id = 'rita') => {
    const result = await app.handle({ actor: { id: qualify('console', id), platform: 'console' }, channel: { platform: 'console', id: 'general' }, text });
    return result.replies.map((r) => (r.kind === 'view' ? renderText(r.view) : r.kind === 'file' ? r.content : '')).join('\n');
  };
}

describe('golive killed at each step of a change', () => {
  it('restarts with the change whole or absent, its record verifying, and takes the next change', async () => {
    const outcomes = new Set<string>();
    let steps = 0;
    let writeSteps: string[] = [];
    for (let step = 0; ; step++) {
      const dir = await mkdtemp(join(tmpdir(), 'golive-crash-'));
      folders.push(dir);
      const disk = stepFs();
      const store = await openLowdbStore(dir, { releaseFs: disk.fs, verify: recordVerifier({}) });
      // One clock across the restart, as the machine's would be.
      const clock = new TestClock('2019-11-01T09:00:00Z');
      const run = appOn(store, clock);
      expect(await run('/release create "Nov" 2019-11-29 --id nov')).toContain('created');
      const before = (await recordOf(store, 'nov')).audit.length;

      const from = disk.steps.length;
      disk.breakAt(step, 'die');
      await run('/release role DCC dan');
      const died = disk.dead();
      if (!died) writeSteps = disk.steps.slice(from);
      await store.close().catch(() => undefined);

      const logs: string[] = [];
      const again = await openLowdbStore(dir, { verify: recordVerifier({}), log: (m) => logs.push(m) });
      try {
        expect(await again.quarantine('nov'), `step ${step}: ${logs.join('; ')}`).toBeUndefined();
        const record = await recordOf(again, 'nov');
        expect(verifyRecord(record)).toMatchObject({ ok: true });
        const roles = record.release.roles.DCC ?? [];
        expect([[], ['console:dan']]).toContainEqual(roles);
        expect(record.audit.length).toBe(roles.length === 0 ? before : before + 1);
        outcomes.add(roles.length === 0 ? 'absent' : 'whole');
        const rerun = appOn(again, clock);
        expect(await rerun('/release role SECAS sue')).toContain('Role SECAS: @sue');
        expect(await rerun('/release audit verify')).toContain('Audit record intact');
      } finally {
        await again.close();
      }
      if (!died) break;
      steps += 1;
    }
    // Every writing step of the change was killed in turn.
    expect(steps).toBe(writeSteps.length);
    expect(writeSteps).toContain('append nov.audit.jsonl');
    expect(writeSteps).toContain('rename nov.state.next.json');
    // Killed before its commit point the change is absent; after it, whole.
    expect([...outcomes].sort()).toEqual(['absent', 'whole']);
  });
});
