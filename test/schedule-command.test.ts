import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { Harness } from './support/golive.js';
import { editRelease } from './support/store-records.js';

// `schedule`, `schedule set`, `schedule off|on` through the real console and store.

const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release role DCC dan
/release group opsg members olivia oscar --quorum 2 --meeting 2019-11-13
`;

describe('the schedule command', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());

  const onDisk = () => h.onDisk('nov');
  const as = (user: string, line: string) => h.as(user, line);
  /** One point's block of the `schedule` listing: its title line and the lines under it. */
  const pointIn = (output: string, id: string) => {
    const lines = output.split('\n');
    const start = lines.findIndex((l) => l.includes(` ${id} · `));
    const end = lines.findIndex((l, i) => i > start && !l.startsWith('      '));
    return lines.slice(start, end).join('\n');
  };

  it('copies the template plan onto the release at create', async () => {
    const doc = await onDisk();
    expect(doc.release.schedule?.map((p) => `${p.id} ${p.when}`)).toEqual([
      'kickoff created',
      'remind-t15 T-15 09:00',
      'remind-t10 T-10 09:00',
      'remind-t5 T-5 09:00',
      'remind-daily T-4..T-1 09:00',
      'evidence-deadline meeting-2 17:00',
      'evidence-reminder meeting-3 09:00',
      'escalation T-3 09:00',
      'go-no-go T-1 10:00',
      'go-live implementation',
      'outcome-ask T+1 09:00',
    ]);
  });

  it('shows each point with its next time in the zone and what it will do', async () => {
    h.clock.set('2019-11-12T12:00:00Z');
    const output = await as('dan', '/release schedule');
    expect(output).toContain('Nov: schedule');
    expect(pointIn(output, 'go-no-go')).toBe(
      ['[ ] go-no-go · go-no-go · T-1 at 10:00', '      Announces the go/no-go verdict in the linked channels.', '      28 Nov 2019 10:00 GMT: next'].join('\n'),
    );
    expect(pointIn(output, 'remind-daily')).toContain('25 Nov 2019 09:00 GMT: next\n      then 3 more, the last 28 Nov 2019 09:00 GMT');
    // Past points: not acted on (no scheduler has run), so late.
    expect(pointIn(output, 'remind-t15')).toContain('[~] remind-t15');
    expect(pointIn(output, 'remind-t15')).toContain('8 Nov 2019 09:00 GMT: late: due, not acted on yet');
    expect(pointIn(output, 'evidence-deadline')).toContain('11 Nov 2019 17:00 GMT (OPSG): late');
    expect(pointIn(output, 'evidence-reminder')).toContain('8 Nov 2019 09:00 GMT (OPSG): late');
    expect(pointIn(output, 'outcome-ask')).toContain('2 Dec 2019 09:00 GMT: next');
  });

  it('shows past points as done once the scheduler has acted through them', async () => {
    // What the scheduler will record as its watermark; written here directly, as it is not built yet.
    await editRelease(h.store, 'nov', (release) => (release.scheduledThrough = '2019-11-08T09:00:00.000Z'));
    h.clock.set('2019-11-12T12:00:00Z');
    const output = await as('dan', '/release schedule');
    expect(pointIn(output, 'remind-t15')).toContain('[x] remind-t15');
    expect(pointIn(output, 'remind-t15')).toContain('8 Nov 2019 09:00 GMT: done');
    expect(pointIn(output, 'kickoff')).toContain('7 Nov 2019 09:00 GMT: done');
  });

  it('lets a manager move a point, switch it off and on; each change is audited', async () => {
    expect(await as('rita', '/release schedule set go-no-go T-2 --time 15:30')).toContain('go-no-go now happens T-2 at 15:30; next 27 Nov 2019 15:30 GMT.');
    expect(await as('rita', '/release schedule set escalation 2019-11-20')).toContain('escalation now happens 20 Nov 2019 at 09:00; next 20 Nov 2019 09:00 GMT.');
    expect(await as('rita', '/release schedule off remind-t10')).toContain('remind-t10 is off: golive will not act on it.');
    let doc = await onDisk();
    expect(doc.release.scheduleOverrides).toEqual([
      { point: 'go-no-go', day: 'T-2', time: '15:30' },
      { point: 'escalation', day: '2019-11-20' },
      { point: 'remind-t10', off: true },
    ]);
    expect(doc.audit.at(-3)).toMatchObject({
      outcome: 'applied',
      command: '/release schedule set go-no-go T-2 --time 15:30',
      before: { point: 'go-no-go', override: null },
      after: { point: 'go-no-go', override: { day: 'T-2', time: '15:30' } },
    });
    expect(doc.audit.at(-1)).toMatchObject({ outcome: 'applied', actor: { id: 'console:rita' }, after: { point: 'remind-t10', override: { off: true } } });

    const shown = await as('dan', '/release schedule');
    expect(pointIn(shown, 'go-no-go')).toContain('[ ] go-no-go · go-no-go · T-2 at 15:30');
    expect(pointIn(shown, 'go-no-go')).toContain('Moved by a manager; the template has it T-1 at 10:00.');
    expect(pointIn(shown, 'go-no-go')).toContain('27 Nov 2019 15:30 GMT: next');
    expect(pointIn(shown, 'remind-t10')).toContain(' -  remind-t10');
    expect(pointIn(shown, 'remind-t10')).toContain('Off: switched off by a manager');

    expect(await as('rita', '/release schedule on remind-t10')).toContain('remind-t10 is on again.');
    doc = await onDisk();
    expect(doc.release.scheduleOverrides?.some((o) => o.point === 'remind-t10')).toBe(false);
    expect(pointIn(await as('dan', '/release schedule'), 'remind-t10')).toContain('15 Nov 2019 09:00 GMT: next');
    expect(verifyChain(doc.audit).ok).toBe(true);
  });

  it('moves the schedule with the implementation date', async () => {
    await as('rita', '/release schedule set go-no-go T-2 --time 15:30');
    await as('rita', '/release date 2019-12-06 "extra testing"');
    const shown = await as('dan', '/release schedule');
    expect(pointIn(shown, 'go-no-go')).toContain('4 Dec 2019 15:30 GMT: next');
    expect(pointIn(shown, 'go-live')).toContain('6 Dec 2019 09:00 GMT: next');
  });

  it('refuses someone who is not a manager, and audits the refusal', async () => {
    const before = (await onDisk()).release;
    for (const [i, line] of ['/release schedule set go-no-go T-2', '/release schedule off go-no-go'].entries()) {
      // Apart by more than a minute, so each refusal is its own entry (repeats are only counted).
      h.clock.set(`2019-11-07T1${i}:00:00Z`);
      expect(await as('dan', line)).toContain('Only the release managers (@rita) can change the schedule for Nov.');
      const doc = await onDisk();
      expect(doc.audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: 'console:dan' }, command: line });
    }
    expect((await onDisk()).release.scheduleOverrides).toEqual(before.scheduleOverrides);
  });

  it('refuses a non-working day, a day in the past, an unknown point and the wrong shape, changing nothing', async () => {
    const before = await onDisk();
    const cases: Array<[string, string]> = [
      ['/release schedule set escalation 2019-11-23', '23 Nov 2019 is a Saturday, not a working day: golive reminds and announces only on working days.'],
      ['/release schedule set escalation 2019-12-25', "25 Dec 2019 is a holiday in this release's calendar (sec-release), not a working day"],
      ['/release schedule set escalation 2019-11-06', 'escalation at 6 Nov 2019 at 09:00 would be 6 Nov 2019 09:00 GMT, in the past: it is now 7 Nov 2019'],
      ['/release schedule set remind-t15 T-16', 'remind-t15 at T-16 at 09:00 would be 7 Nov 2019 09:00 GMT, in the past'],
      [
        '/release schedule set nope T-2',
        'Nov has no schedule point "nope". Its points are: kickoff, remind-t15, remind-t10, remind-t5, remind-daily, evidence-deadline, evidence-reminder, escalation, go-no-go, go-live, outcome-ask.',
      ],
      ['/release schedule off nope', 'Nov has no schedule point "nope".'],
      ['/release schedule set remind-daily T-5', 'remind-daily happens every working day from T-4 to T-1: give a range like T-4..T-1, or switch it off.'],
      ['/release schedule set escalation T-5..T-2', 'escalation happens once: give one day (T-n or YYYY-MM-DD), not a range.'],
      ['/release schedule set kickoff T-2', 'kickoff happens when the release is created; it cannot be moved.'],
      ['/release schedule on go-no-go', 'go-no-go is already on.'],
      ['/release schedule set go-no-go next-week', '"next-week" is not a schedule day: write T-3'],
      ['/release schedule set go-no-go T-1..T-3', '"T-1..T-3" runs backwards: write the earlier day first, for example T-3..T-1.'],
      ['/release schedule set go-no-go T-2 --time 25:00', 'Time "25:00" is not valid'],
      ['/release schedule sett go-no-go T-2', 'Did you mean `set`?'],
    ];
    for (const [line, message] of cases) {
      const output = await as('rita', line);
      expect(output, line).toContain('Not done: ');
      expect(output, line).toContain(message);
    }
    const after = await onDisk();
    expect(after.release).toEqual(before.release);
    expect(after.audit).toHaveLength(before.audit.length);
  });

  it('accepts a day written in lower case and a daily range, stored in the canonical form', async () => {
    expect(await as('rita', '/release schedule set remind-daily t-6..t-1 --time 8:30')).toContain('remind-daily now happens every working day from T-6 to T-1 at 08:30; next 21 Nov 2019 08:30 GMT.');
    expect(await as('rita', '/release schedule set outcome-ask t+2')).toContain('outcome-ask now happens T+2 at 09:00; next 3 Dec 2019 09:00 GMT.');
    expect((await onDisk()).release.scheduleOverrides).toEqual([
      { point: 'remind-daily', day: 'T-6..T-1', time: '08:30' },
      { point: 'outcome-ask', day: 'T+2' },
    ]);
  });

  it('lists schedule in help', async () => {
    const output = await as('rita', '/release help schedule');
    expect(output).toContain('/release schedule set <point> <T-n|T+n|T-a..T-b|YYYY-MM-DD> [--time HH:MM]');
    expect(output).toContain('/release schedule off <point>');
  });
});
