import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';
import { CHANNEL, SlackHarness } from './support/slack-harness.js';
import { readRaw } from './support/release-on-disk.js';

// Thursday 20 Nov 2025, 09:00 in London: the app's clock in these tests.
const NOW = '2025-11-20T09:00:00Z';
const OVERRIDE = 'add --allow-non-working-day to go live on it anyway';
const WARNING_2030 = 'Warning: The holiday calendar of this release lists no holidays in 2030: working days are counted without holidays that year.';

/** Every file in the data folder with its bytes, to prove a refusal wrote nothing anywhere. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path.slice(dir.length)] = await readFile(path, 'utf8');
  }
  return files;
}

describe('create checks the implementation date', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open(NOW);
  });
  afterEach(() => h.close());

  /** Runs a create that must be refused: the refusal is returned and the data folder is byte for byte as before. */
  async function refusedCreate(line: string): Promise<string> {
    const before = await snapshot(h.dir);
    const { output } = await h.run(line);
    expect(output).toContain('Not done: ');
    expect(await snapshot(h.dir)).toEqual(before);
    expect((await h.run('/release list')).output).not.toContain('`r`');
    return output;
  }

  it('refuses a Saturday, naming the day and how to override', async () => {
    const output = await refusedCreate('/release create "R" 2025-11-29 --id r');
    expect(output).toContain(`Not done: 29 Nov 2025 is a Saturday, not a working day. Choose a working day, or ${OVERRIDE}.`);
    expect(await refusedCreate('/release create "R" 2025-11-30 --id r')).toContain('30 Nov 2025 is a Sunday');
  });

  it("refuses a bank holiday of the template's own calendar, naming the calendar", async () => {
    expect(await refusedCreate('/release create "R" 2026-12-25 --id r')).toContain(
      `Not done: 25 Dec 2026 is a holiday in this release's calendar (sec-release), not a working day. Choose a working day, or ${OVERRIDE}.`,
    );
    // Boxing Day 2026 is a Saturday; its substitute Monday is the holiday.
    expect(await refusedCreate('/release create "R" 2026-12-28 --template software-release --id r')).toContain("28 Dec 2026 is a holiday in this release's calendar (software-release)");
  });

  it('refuses a day in the past, and today once its time has passed', async () => {
    expect(await refusedCreate('/release create "R" 2025-11-19 --id r')).toContain(
      'Not done: 19 Nov 2025 09:00 (Europe/London) is in the past: it is now 20 Nov 2025 09:00 GMT. Choose a later date or time.',
    );
    expect(await refusedCreate('/release create "R" 2025-11-20 --time 08:59 --id r')).toContain('20 Nov 2025 08:59 (Europe/London) is in the past');
    // The override is for weekends and holidays, not for the past.
    expect(await refusedCreate('/release create "R" 2025-11-16 --id r --allow-non-working-day')).toContain('16 Nov 2025 09:00 (Europe/London) is in the past');
    // Later the same day is still to come: 09:00 GMT is 04:00 in New York, so 09:00 there is ahead.
    expect((await h.run('/release create "R" 2025-11-20 --time 09:00 --tz America/New_York --id r')).output).toContain('R (r) created');
  });

  it('refuses a local time the clocks skip, naming the gap, even with the override', async () => {
    expect(await refusedCreate('/release create "R" 2026-03-29 --time 01:30 --id r --allow-non-working-day')).toContain(
      'Not done: 01:30 on 29 Mar 2026 does not exist in Europe/London: the clocks go forward from 01:00 to 02:00 that night. Choose another time.',
    );
    expect(await refusedCreate('/release create "R" 2026-03-08 --time 02:15 --tz America/New_York --id r --allow-non-working-day')).toContain(
      '02:15 on 8 Mar 2026 does not exist in America/New_York: the clocks go forward from 02:00 to 03:00 that night.',
    );
  });

  it('accepts a repeated autumn time: it exists (the first occurrence is meant)', async () => {
    const { output } = await h.run('/release create "R" 2026-10-25 --time 01:30 --id r --allow-non-working-day');
    expect(output).toContain('R (r) created from template sec-release, implementation 25 Oct 2026 01:30 (Europe/London).');
    expect((await h.run('/release status r')).output).toContain('Implementation: 25 Oct 2026 01:30 (Europe/London)');
  });

  it('accepts a weekend with --allow-non-working-day, says so, and the audit entry shows the option', async () => {
    const { output } = await h.run('/release create "Weekend window" 2025-11-29 --id weekend --allow-non-working-day');
    expect(output).toContain('Weekend window (weekend) created from template sec-release, implementation 29 Nov 2025 09:00 (Europe/London).');
    expect(output).toContain('Note: 29 Nov 2025 is a Saturday; created on it as --allow-non-working-day asked.');
    const saved = await readRaw(h.dir, 'weekend');
    expect(saved.release.implementation).toEqual({ date: '2025-11-29', time: '09:00', zone: 'Europe/London' });
    const [jsonl = ''] = await h.written((await h.run('/release audit export')).output);
    const entry = JSON.parse(jsonl.split('\n').find((l) => l.startsWith('{'))!);
    expect(entry).toMatchObject({
      outcome: 'applied',
      command: '/release create "Weekend window" 2025-11-29 --id weekend --allow-non-working-day',
      after: { id: 'weekend', allowedNonWorkingDay: '29 Nov 2025 is a Saturday' },
    });
  });

  it('warns when the holiday list has nothing in the implementation year, and creates anyway', async () => {
    const { output } = await h.run('/release create "Far" 2030-06-04 --id far');
    expect(output).toContain('Far (far) created');
    expect(output).toContain(WARNING_2030);
    expect((await h.run('/release status far')).output).toContain(`  ${WARNING_2030}`);
  });

  it('says nothing about the holiday list for a year it covers', async () => {
    const { output } = await h.run('/release create "Near" 2026-06-02 --id near');
    expect(output).toContain('Near (near) created');
    expect(output).not.toContain('Warning');
    expect((await h.run('/release status near')).output).not.toContain('holiday calendar');
  });
});

describe('date checks the new implementation date the same way', () => {
  let h: Harness;
  const file = () => join(h.dir, 'releases', 'r.state.json');
  beforeEach(async () => {
    h = await Harness.open(NOW);
    // Tuesday 2 Jun 2026, a working day in sec-release's calendar.
    expect((await h.run('/release create "R" 2026-06-02 --id r')).output).toContain('R (r) created');
  });
  afterEach(() => h.close());

  /** A refused move: told why, the release file byte for byte as it was (no audit entry either). */
  async function refusedMove(line: string): Promise<string> {
    const before = await readFile(file(), 'utf8');
    const { output } = await h.run(line);
    expect(output).toContain('Not done: ');
    expect(await readFile(file(), 'utf8')).toBe(before);
    return output;
  }

  it('refuses a Saturday, a bank holiday, the past, a passed time today and the gap; the file is untouched', async () => {
    expect(await refusedMove('/release date 2026-06-06 "weekend"')).toContain(`Not done: 6 Jun 2026 is a Saturday, not a working day. Choose a working day, or ${OVERRIDE}.`);
    expect(await refusedMove('/release date 2026-08-31 "summer bank holiday"')).toContain(
      `Not done: 31 Aug 2026 is a holiday in this release's calendar (sec-release), not a working day. Choose a working day, or ${OVERRIDE}.`,
    );
    expect(await refusedMove('/release date 2025-11-18 "too late"')).toContain('Not done: 18 Nov 2025 09:00 (Europe/London) is in the past');
    expect(await refusedMove('/release date 2025-11-20 --time 08:30 "this morning"')).toContain('20 Nov 2025 08:30 (Europe/London) is in the past: it is now 20 Nov 2025 09:00 GMT.');
    expect(await refusedMove('/release date 2026-03-29 --time 01:30 "overnight" --allow-non-working-day')).toContain(
      'Not done: 01:30 on 29 Mar 2026 does not exist in Europe/London: the clocks go forward from 01:00 to 02:00 that night. Choose another time.',
    );
    const status = (await h.run('/release status')).output;
    expect(status).toContain('Implementation: 2 Jun 2026 09:00 (Europe/London)');
    expect(status).not.toContain('Date moved');
  });

  it('checks the time the release already has when only the date is given', async () => {
    expect((await h.run('/release date 2026-06-03 --time 01:30 "overnight window"')).output).toContain('Implementation moved to 3 Jun 2026 01:30.');
    expect(await refusedMove('/release date 2026-03-29 "day of the change" --allow-non-working-day')).toContain('01:30 on 29 Mar 2026 does not exist in Europe/London');
    expect((await h.run('/release date 2026-03-30 "day after the change"')).output).toContain('Implementation moved to 30 Mar 2026 01:30.');
  });

  it('moves onto a weekend with --allow-non-working-day, and the audit entry shows it', async () => {
    const { output } = await h.run('/release date 2026-06-06 "weekend window agreed" --allow-non-working-day');
    expect(output).toContain('Implementation moved to 6 Jun 2026 09:00.');
    expect(output).toContain('Note: 6 Jun 2026 is a Saturday; moved to it as --allow-non-working-day asked.');
    const entries = (await h.written((await h.run('/release audit export')).output))[0]!
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(entries.at(-1)).toMatchObject({
      outcome: 'applied',
      command: '/release date 2026-06-06 "weekend window agreed" --allow-non-working-day',
      after: { implementation: { date: '2026-06-06', time: '09:00' }, allowedNonWorkingDay: '6 Jun 2026 is a Saturday' },
    });
  });

  it('warns on a move into a year the holiday list does not cover, and status keeps saying so until it moves back', async () => {
    const moved = (await h.run('/release date 2030-06-04 "programme slipped"')).output;
    expect(moved).toContain('Implementation moved to 4 Jun 2030 09:00.');
    expect(moved).toContain(WARNING_2030);
    expect((await h.run('/release status')).output).toContain(WARNING_2030);
    const back = (await h.run('/release date 2026-06-09 "programme recovered"')).output;
    expect(back).toContain('Implementation moved to 9 Jun 2026 09:00.');
    expect(back).not.toContain('Warning');
    expect((await h.run('/release status')).output).not.toContain('holiday calendar');
  });

  it('keeps the rehearsal clock: in 2019 the seed release moves from 29 Nov to 6 Dec 2019', async () => {
    const rehearsal = await Harness.open('2019-11-07T09:00:00Z');
    try {
      expect((await rehearsal.run('/release create "November 2019 SEC Release" 2019-11-29 --id nov')).output).toContain('created');
      expect((await rehearsal.run('/release date 2019-12-06 "A Severity 2 defect was found in regression testing"')).output).toContain('Implementation moved to 6 Dec 2019 09:00.');
      expect((await rehearsal.run('/release date 2019-12-25 "x"')).output).toContain("25 Dec 2019 is a holiday in this release's calendar (sec-release)");
    } finally {
      await rehearsal.close();
    }
  });
});

describe('date on Slack', () => {
  let h: SlackHarness;
  const RITA = 'URITA';
  beforeEach(async () => {
    h = await SlackHarness.open(NOW);
    await h.command(RITA, 'create "R" 2026-06-02 --id r');
  });
  afterEach(() => h.close());

  it('tells the person privately why a Saturday is refused, and writes and announces nothing', async () => {
    const file = join(h.dir, 'releases', 'r.state.json');
    const before = await readFile(file, 'utf8');
    const calls = h.fake.calls.length;
    const { status, reply } = await h.command(RITA, 'date 2026-06-06 "weekend"');
    expect(status).toBe(200);
    expect(reply).toContain('6 Jun 2026 is a Saturday, not a working day. Choose a working day, or add --allow-non-working-day to go live on it anyway.');
    const since = h.fake.calls.slice(calls);
    expect(since.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(since.filter((c) => c.method === 'chat.postEphemeral').map((c) => c.body.channel)).toEqual([CHANNEL]);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect((await h.doc('r')).release.implementation.date).toBe('2026-06-02');
  });
});
