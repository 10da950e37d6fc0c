import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReleaseDocument } from '../store/release-document.js';
import { recordVerifier } from '../src/app/record-check.js';
import { QUALIFY_COMMAND, qualifyPeople } from '../src/app/usecases/qualify-people.js';
import { verifyRecord } from '../src/domain/record-verify.js';
import { evaluate } from '../src/domain/readiness.js';
import { bareIds } from '../src/domain/release-people.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { consolePeople, oldReleaseDocument, slackPeople } from './fixtures/old-records.js';
import { npmStart } from './support/npm-start.js';
import { TestClock } from './support/test-clock.js';
import { recordOf } from './support/store-records.js';
import { writeReleaseFiles } from './support/store-files.js';
import { releaseText, readRaw } from './support/release-on-disk.js';

// A store written before people ids carried their platform: start-up qualifies each release that
// verifies with one sealed entry by golive, so the record covers the new state; history is kept.

const onDisk = async (dir: string, id: string) => ReleaseDocument.parse(await readRaw(dir, id));

/** A data folder holding four old releases: a Slack one, a console one, a closed one and one whose file was edited. */
async function oldStore(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-qualify-'));
  const edited = await oldReleaseDocument('edited', consolePeople);
  edited.release.roles.DCC = ['mallory'];
  await writeReleaseFiles(dir, [
    await oldReleaseDocument('slack-nov', slackPeople, { channel: { platform: 'slack', id: 'C0NOV' } }),
    await oldReleaseDocument('console-dec', consolePeople),
    await oldReleaseDocument('closed-oct', consolePeople, { channel: { platform: 'console', id: 'oct' }, closed: true }),
    edited,
  ]);
  return dir;
}

describe('people ids of an old store, qualified at start', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('adds one sealed entry per release through npm start; answers, sign-offs and the decision still count; a second start adds nothing', async () => {
    dir = await oldStore();
    // Written as version-1 documents, as the golive of that time did: converted at start, their records kept.
    const v1OnDisk = async (id: string) => ReleaseDocument.parse(JSON.parse(await readFile(join(dir!, 'releases', `${id}.json`), 'utf8')));
    const before = await v1OnDisk('slack-nov');
    const editedRecord = await v1OnDisk('edited');
    const env = { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: '2019-11-05T09:00:00Z' };
    const first = await npmStart('/release status --release slack-nov\n/release audit verify --release slack-nov\n/release history opsg --release slack-nov\n', env);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('release "slack-nov": people ids qualified with their platform (slack), one entry added to its record');
    expect(first.stderr).toContain('release "console-dec": people ids qualified with their platform (console)');

    const nov = await onDisk(dir, 'slack-nov');
    // The history before it is kept as written; the new entry follows it, by golive, sealing the new state.
    expect(nov.audit.slice(0, before.audit.length)).toEqual(before.audit);
    const entry = nov.audit[before.audit.length]!;
    expect(entry).toMatchObject({ actor: { id: 'golive:golive', platform: 'golive' }, command: QUALIFY_COMMAND, outcome: 'applied' });
    expect(entry.before).toEqual({ ids: ['UDAN', 'UOLIVIA', 'UPAT', 'URITA'] });
    expect(entry.after).toEqual({ ids: ['slack:UDAN', 'slack:UOLIVIA', 'slack:UPAT', 'slack:URITA'] });
    expect(verifyRecord(nov)).toMatchObject({ ok: true });
    expect(first.stdout).toContain('Audit record intact');
    expect(bareIds(nov.release)).toEqual([]);
    expect(nov.release.roles.DCC).toEqual(['slack:UDAN']);
    expect(nov.release.managers).toEqual(['slack:URITA']);
    expect(nov.outbox[0]!.to).toEqual({ person: { platform: 'slack', id: 'slack:UDAN' } });

    // What counted before counts after: the answer, the sign-off, and the decision made on that state.
    const was = evaluate(before.release, new Date('2019-11-05T09:00:00Z'));
    const now = evaluate(nov.release, new Date('2019-11-05T09:00:00Z'));
    expect(now.criteria[0]).toMatchObject({ state: 'met', stale: false, owners: ['slack:UDAN'] });
    expect(now.groups[0]!.agreed.map((s) => s.by)).toEqual(['slack:UOLIVIA']);
    expect(now.decision).toMatchObject({ stale: false, decision: { verdict: 'no-go', by: 'slack:UPAT' } });
    expect(now.verdict).toBe(was.verdict);
    expect(now.blockers.map((b) => b.what)).toEqual(was.blockers.map((b) => b.what));
    expect(first.stdout).toMatch(/\[x\] 1\. code-ready/);
    expect(first.stdout).toContain('NO-GO by @slack:UPAT');
    // A set-up command recorded with Slack's markup is still read in the history.
    expect(first.stdout).toContain('set up: `/release group opsg members <@UOLIVIA> --quorum 1`');

    const dec = await onDisk(dir, 'console-dec');
    expect(dec.release.roles.DCC).toEqual(['console:dan']);
    expect(dec.audit.filter((e) => e.command === QUALIFY_COMMAND)).toHaveLength(1);
    // A closed release is brought up to date too: its record, not a change of its outcome.
    const oct = await onDisk(dir, 'closed-oct');
    expect(oct.release.outcome).toMatchObject({ result: 'cancelled', by: 'console:rita' });
    expect(oct.audit.at(-1)).toMatchObject({ command: QUALIFY_COMMAND });
    expect(verifyRecord(oct)).toMatchObject({ ok: true });
    // A release whose record fails verification is left exactly as it was.
    expect(await onDisk(dir, 'edited')).toEqual(editedRecord);
    const editedBytes = await releaseText(dir, 'edited');

    const lengths = async () => Promise.all(['slack-nov', 'console-dec', 'closed-oct'].map(async (id) => (await onDisk(dir!, id)).audit.length));
    const after = await lengths();
    const second = await npmStart('/release list\n', env);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('people ids qualified');
    for (const id of ['slack-nov', 'console-dec', 'closed-oct']) {
      const doc = await onDisk(dir, id);
      expect(
        doc.audit.filter((e) => e.command === QUALIFY_COMMAND),
        id,
      ).toHaveLength(1);
    }
    // Only the schedule may have acted since (a rehearsal clock runs on); the closed release took nothing.
    expect((await lengths())[2]).toBe(after[2]);
    expect(await releaseText(dir, 'edited')).toBe(editedBytes);
  }, 60_000);

  it('dates its entry no earlier than the newest record, and is sealed under the audit key when one is set', async () => {
    dir = await oldStore();
    const store = await openLowdbStore(dir, { verify: recordVerifier({}) });
    try {
      // A clock behind the records would have every change refused: the entry is dated at the newest record instead.
      const changed = await qualifyPeople(store, new TestClock('2019-11-01T00:00:00Z'), undefined);
      expect(changed).toEqual(['slack-nov', 'console-dec', 'closed-oct']);
      const audit = (await recordOf(store, 'slack-nov')).audit;
      expect(audit.at(-1)!.at).toBe(audit.at(-2)!.at);
      expect(await qualifyPeople(store, new TestClock('2019-11-06T00:00:00Z'), undefined)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
