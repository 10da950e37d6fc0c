import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';
import { npmStart } from './support/npm-start.js';
import { fileBytes, readDoc, reopen, reseal, resealState, seedToGo, SEED_ID, SEED_NAME, SEED_START, writeDoc, type RawDoc } from './support/tamper.js';

// Case 6: the record never goes back in time, and a date change comes after the answers it makes stale.

const MOVE = '/as rita\n/release date 2019-12-06 "A Severity 2 defect was found in regression testing"\n/release status\n/release audit verify\n/release audit export\n';

/** The audit export the console wrote to a file, as the times and commands of its entries. */
async function exportedTimes(stdout: string): Promise<Array<{ seq: number; at: number; command: string }>> {
  const path = /: written to (\S+)$/m.exec(stdout)?.[1];
  if (!path) throw new Error(`the console wrote no export: ${stdout.slice(-500)}`);
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line.startsWith('{"actor"'))
    .map((line) => JSON.parse(line))
    .map((entry: RawDoc) => ({ seq: entry.seq, at: Date.parse(entry.at), command: entry.command }));
}

function expectMovedAndStale(stdout: string): void {
  expect(stdout).toContain('Implementation moved to 6 Dec 2019 09:00. Every earlier confirmation is now stale');
  const status = stdout.slice(stdout.indexOf('/release status'), stdout.indexOf('/release audit verify'));
  expect(status).toContain(`${SEED_NAME}: PENDING`);
  expect(status).not.toContain(`${SEED_NAME}: GO`);
  // Every one of the seven answers and the decision are stale right after the move.
  expect(status.match(/answered before the implementation date moved: must be confirmed again/g)?.length).toBeGreaterThanOrEqual(7);
  expect(status).toContain('Made on an earlier state of the release: decide again.');
  expect(stdout).toContain('Audit record intact');
}

describe('case 6: a rehearsal clock restarted on a store with later records, through npm start', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-clock-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a second run with the same GOLIVE_CLOCK_START dates nothing before the first run, and the move makes the answers stale', async () => {
    const env = { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: SEED_START };
    const first = await npmStart(await seedToGo(), env);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`${SEED_NAME}: GO`);
    // The schedule's own entries (what golive sent on its own) come and go with the clock: count people's.
    const firstEntries = (await readDoc(dir, SEED_ID)).audit.filter((entry: RawDoc) => entry.actor.platform !== 'golive').length;
    const firstNewest = Date.parse((await readDoc(dir, SEED_ID)).audit.at(-1).at);

    const second = await npmStart(MOVE, env);
    expect(second.status).toBe(0);
    expectMovedAndStale(second.stdout);
    const times = await exportedTimes(second.stdout);
    const people = times.filter((entry) => !entry.command.startsWith('(schedule)'));
    expect(people).toHaveLength(firstEntries + 1);
    expect(people.at(-1)!.command).toMatch(/^\/release date 2019-12-06/);
    expect(people.at(-1)!.at).toBeGreaterThanOrEqual(firstNewest);
    for (let i = 1; i < times.length; i++) expect(times[i]!.at).toBeGreaterThanOrEqual(times[i - 1]!.at);
  }, 60_000);

  it('a second run with an earlier GOLIVE_CLOCK_START resumes after the newest record, saying so', async () => {
    // The tour sets up at its start, then its /clock lines carry it on to the Panel's decision on 15 Nov.
    const later = await npmStart(await seedToGo(), { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: '2019-11-04T15:00:00Z' });
    expect(later.status).toBe(0);
    const first = await readDoc(dir, SEED_ID);
    expect(Date.parse(first.audit[0].at)).toBeGreaterThanOrEqual(Date.parse('2019-11-04T15:00:00Z'));
    const newest = Date.parse(first.audit.at(-1).at);
    expect(newest).toBeGreaterThanOrEqual(Date.parse('2019-11-15T10:00:00Z'));

    const earlier = await npmStart(MOVE, { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: SEED_START });
    expect(earlier.status).toBe(0);
    expect(earlier.stderr).toMatch(/rehearsal clock resumes at 2019-11-15T10:00:\d\d\.\d{3}Z, the newest record in the store \(GOLIVE_CLOCK_START is earlier\)/);
    expectMovedAndStale(earlier.stdout);
    const move = (await exportedTimes(earlier.stdout)).filter((entry) => !entry.command.startsWith('(schedule)')).at(-1)!;
    expect(move.command).toMatch(/^\/release date 2019-12-06/);
    expect(move.at).toBeGreaterThanOrEqual(newest);
    const doc = await readDoc(dir, SEED_ID);
    expect(Date.parse(doc.release.dateChanges[0].at)).toBeGreaterThanOrEqual(Math.max(...doc.release.criteria.map((c: RawDoc) => Date.parse(c.responses.at(-1).at))));
  }, 60_000);
});

describe('case 6: time order in the record', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a change whose clock reads before the newest entry is refused and writes nothing', async () => {
    h = await Harness.open(SEED_START);
    await h.run(await seedToGo());
    const bytes = await fileBytes(h.dir, SEED_ID);
    // The newest record is the Panel's decision, on 15 Nov at 10:00.
    h.clock.set('2019-11-15T09:00:00Z');
    const { output } = await h.run(MOVE);
    expect(output).toMatch(/golive's clock reads 2019-11-15T09:00:0\d\.000Z, before the newest record of this release \(2019-11-15T10:00:\d\d\.000Z\); nothing was recorded/);
    expect(output).not.toContain('Implementation moved');
    expect(output).toContain(`${SEED_NAME}: GO`);
    expect(await fileBytes(h.dir, SEED_ID)).toEqual(bytes);
  });

  it('a clock behind repeated refusals still counted beside the chain is refused too: golive never writes a record that goes back', async () => {
    h = await Harness.open('2019-11-01T09:00:00Z');
    await h.run('/channel c-nov\n/release create "Nov" 2019-11-29 --id nov\n/release role DCC dan');
    h.clock.set('2019-11-01T10:00:00Z');
    await h.run('/channel c-nov\n/release confirm code-ready met', 'mallory');
    h.clock.set('2019-11-01T10:00:40Z');
    await h.run('/channel c-nov\n/release confirm code-ready met', 'mallory');
    const counted = await readDoc(h.dir, 'nov');
    expect(counted.refusals).toMatchObject({ count: 1, last: '2019-11-01T10:00:40.000Z' });
    const bytes = await fileBytes(h.dir, 'nov');

    // After the newest entry (10:00:00) but before the counted repeat (10:00:40).
    h.clock.set('2019-11-01T10:00:20Z');
    const refused = (await h.run('/channel c-nov\n/release confirm code-ready met "done"', 'dan')).output;
    expect(refused).toMatch(/golive's clock reads 2019-11-01T10:00:2\d\.000Z, before the newest record of this release \(2019-11-01T10:00:40\.000Z\); nothing was recorded/);
    expect(await fileBytes(h.dir, 'nov')).toEqual(bytes);

    h.clock.set('2019-11-01T10:01:00Z');
    const later = (await h.run('/channel c-nov\n/release confirm code-ready met "done"\n/release audit verify', 'dan')).output;
    expect(later).toContain('Recorded: criterion 1 (code-ready) met.');
    expect(later).toContain('Audit record intact');
  });

  it('audit verify refuses a chain whose times go back, even with every hash recomputed', async () => {
    h = await Harness.open(SEED_START);
    await h.run(await seedToGo());
    await h.store.close();
    const doc = await readDoc(h.dir, SEED_ID);
    // Entry 10 (set-up on 4 Nov) dated an hour before entry 9; the chain and the state hash are otherwise perfect.
    doc.audit[9].at = '2019-11-04T08:00:00.000Z';
    reseal(doc.audit, 9);
    resealState(doc);
    const bytes = await writeDoc(h.dir, SEED_ID, doc);

    h = await reopen(h.dir);
    const verify = (await h.run('/release audit verify')).output;
    expect(verify).toMatch(/Audit record FAILS verification: at entry 10: Entry 10 is dated 2019-11-04T08:00:00\.000Z, before entry 9 \(2019-11-04T09:00:\d\d\.000Z\): the record goes back in time\./);
    expect((await h.run('/release status')).output).toContain(`The record of ${SEED_NAME} (${SEED_ID}) fails verification at entry 10`);
    expect(await fileBytes(h.dir, SEED_ID)).toEqual(bytes);
  });
});
