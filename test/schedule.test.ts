import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../src/app/usecases/templates.js';
import { releaseFromTemplate } from '../src/app/usecases/new-release.js';
import { Release, type Response } from '../src/domain/release.js';
import { Template } from '../src/domain/template.js';
import { isWorkingDay, zonedInstant } from '../src/domain/calendar.js';
import { allOccurrences, nextDue, occurrences, scheduleStart, type Occurrence } from '../src/domain/schedule.js';
import { catchUp } from '../src/domain/schedule-catch-up.js';
import { audienceOf, stillWanted } from '../src/domain/schedule-audience.js';
import { SchedulePlan } from '../src/domain/schedule-plan.js';

// The schedule is pure: computed from the release alone, so these tests need no clock and no store.

const sec = await loadTemplate('sec-release');
const software = await loadTemplate('software-release');

function seed(overrides: Partial<Release> = {}, createdAt = '2019-11-07T09:00:00.000Z'): Release {
  const release = Release.parse(
    releaseFromTemplate(sec, { id: 'nov-2019-sec', name: 'November 2019 SEC Release', date: '2019-11-29', channel: { platform: 'console', id: 'general' }, by: 'rita', at: createdAt }),
  );
  release.roles = { DCC: ['dan'], SECAS: ['sam'], Panel: ['pat'] };
  release.groups = release.groups.map((g) => ({ ...g, meeting: '2019-11-08', members: g.id === 'opsg' ? ['olivia', 'oscar'] : ['tara', 'tom'] }));
  return Release.parse({ ...release, ...overrides });
}

const at = (iso: string) => new Date(iso);
const row = (o: Occurrence) => `${o.dueAt} ${o.point}${o.group ? ` ${o.group}` : ''}`;
const dayIn = (o: Occurrence, zone = 'Europe/London') => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(o.dueAt));
const met = (at: string, by = 'dan'): Response => ({ answer: 'met', evidence: [], by, platform: 'console', at });

describe('the seed release schedule, created 7 Nov 2019, going live 29 Nov 2019', () => {
  const release = seed();
  const all = occurrences(release, scheduleStart(release), at('2019-12-02T23:59:00Z'));

  it('lists every occurrence from creation to the day after the date, in order', () => {
    expect(all.map(row)).toEqual([
      '2019-11-07T09:00:00.000Z kickoff',
      '2019-11-08T09:00:00.000Z remind-t15',
      '2019-11-15T09:00:00.000Z remind-t10',
      '2019-11-22T09:00:00.000Z remind-t5',
      '2019-11-25T09:00:00.000Z remind-daily',
      '2019-11-26T09:00:00.000Z remind-daily',
      '2019-11-26T09:00:00.000Z escalation',
      '2019-11-27T09:00:00.000Z remind-daily',
      '2019-11-28T09:00:00.000Z remind-daily',
      '2019-11-28T10:00:00.000Z go-no-go',
      '2019-11-29T09:00:00.000Z go-live',
      '2019-12-02T09:00:00.000Z outcome-ask',
    ]);
  });

  it('puts nothing on a weekend or a bank holiday of the release calendar', () => {
    for (const o of all) expect(isWorkingDay(dayIn(o), release.holidays), row(o)).toBe(true);
  });

  it('announces the go/no-go at 10:00 London time on 28 Nov 2019', () => {
    const goNoGo = all.find((o) => o.kind === 'go-no-go')!;
    expect(goNoGo.dueAt).toBe(zonedInstant('2019-11-28', '10:00', 'Europe/London').toISOString());
    expect(goNoGo.key).toBe('nov-2019-sec:go-no-go:2019-11-28T10:00:00.000Z');
  });

  it('sets each evidence deadline two working days before the 8 Nov meetings, at 17:00, with a reminder the working day before', () => {
    const perGroup = allOccurrences(release).filter((o) => o.group !== undefined);
    expect(perGroup.map(row)).toEqual([
      '2019-11-05T09:00:00.000Z evidence-reminder opsg',
      '2019-11-05T09:00:00.000Z evidence-reminder tag',
      '2019-11-06T17:00:00.000Z evidence-deadline opsg',
      '2019-11-06T17:00:00.000Z evidence-deadline tag',
    ]);
    expect(perGroup.find((o) => o.kind === 'evidence-deadline')!.key).toBe('nov-2019-sec:evidence-deadline:2019-11-06T17:00:00.000Z:opsg');
    expect(perGroup.every((o) => o.expiresAt === '2019-11-08T00:00:00.000Z')).toBe(true);
    // Those fall before the release existed (7 Nov), so the scheduler never sends them; created
    // on 1 Nov, it would.
    expect(all.some((o) => o.group !== undefined)).toBe(false);
    const early = seed({}, '2019-11-01T09:00:00.000Z');
    expect(occurrences(early, scheduleStart(early), at('2019-11-07T00:00:00Z')).map(row)).toEqual([
      '2019-11-01T09:00:00.000Z kickoff',
      '2019-11-05T09:00:00.000Z evidence-reminder opsg',
      '2019-11-05T09:00:00.000Z evidence-reminder tag',
      '2019-11-06T17:00:00.000Z evidence-deadline opsg',
      '2019-11-06T17:00:00.000Z evidence-deadline tag',
    ]);
  });

  it('returns only what is due in (from, to]', () => {
    expect(occurrences(release, at('2019-11-26T09:00:00Z'), at('2019-11-28T10:00:00Z')).map(row)).toEqual([
      '2019-11-27T09:00:00.000Z remind-daily',
      '2019-11-28T09:00:00.000Z remind-daily',
      '2019-11-28T10:00:00.000Z go-no-go',
    ]);
  });

  it('keeps the plan the release was made with, and an old release without one has none', () => {
    expect(release.schedule?.map((p) => p.id)).toEqual(sec.schedule.map((p) => p.id));
    const old = Release.parse({ ...release, schedule: undefined });
    expect(old.schedule).toBeUndefined();
    expect(allOccurrences(old)).toEqual([]);
    expect(nextDue(old, at('2019-11-07T09:00:00Z'))).toBeUndefined();
  });
});

describe('overrides and date moves', () => {
  it('honours a point switched off, moved to T-n, moved to a date, or given another time', () => {
    const release = seed({
      scheduleOverrides: [
        { point: 'remind-t10', off: true },
        { point: 'go-no-go', day: 'T-2', time: '15:30' },
        { point: 'escalation', day: '2019-11-20' },
        { point: 'remind-daily', time: '08:15' },
        { point: 'evidence-deadline', day: 'T-3' },
      ],
    });
    const all = allOccurrences(release);
    expect(all.some((o) => o.point === 'remind-t10')).toBe(false);
    expect(all.find((o) => o.point === 'go-no-go')!.dueAt).toBe('2019-11-27T15:30:00.000Z');
    expect(all.find((o) => o.point === 'escalation')!.dueAt).toBe('2019-11-20T09:00:00.000Z');
    expect(all.filter((o) => o.point === 'remind-daily').map((o) => o.dueAt)).toEqual(['2019-11-25', '2019-11-26', '2019-11-27', '2019-11-28'].map((d) => `${d}T08:15:00.000Z`));
    // For a per-group point, T-n counts back from each group's meeting, keeping the point's time.
    expect(all.filter((o) => o.point === 'evidence-deadline').map(row)).toEqual(['2019-11-05T17:00:00.000Z evidence-deadline opsg', '2019-11-05T17:00:00.000Z evidence-deadline tag']);
  });

  it('moves a point that lands on a weekend or holiday to the working day before', () => {
    const release = seed({ scheduleOverrides: [{ point: 'escalation', day: '2019-11-24' }] });
    expect(allOccurrences(release).find((o) => o.point === 'escalation')!.dueAt).toBe('2019-11-22T09:00:00.000Z');
  });

  it('moves every point when the implementation date moves', () => {
    const moved = seed({ implementation: { date: '2019-12-06', time: '09:00', zone: 'Europe/London' } });
    const rows = occurrences(moved, scheduleStart(moved), at('2019-12-31T00:00:00Z')).map(row);
    expect(rows).toContain('2019-12-05T10:00:00.000Z go-no-go');
    expect(rows).toContain('2019-12-03T09:00:00.000Z escalation');
    expect(rows).toContain('2019-12-06T09:00:00.000Z go-live');
    expect(rows).toContain('2019-12-09T09:00:00.000Z outcome-ask');
    expect(rows).toContain('2019-11-15T09:00:00.000Z remind-t15');
    expect(rows).not.toContain('2019-11-28T10:00:00.000Z go-no-go');
  });

  it('stops after the release is closed', () => {
    const closed = seed({ outcome: { result: 'cancelled', by: 'rita', platform: 'console', at: '2019-11-20T12:00:00.000Z' } });
    const rows = occurrences(closed, scheduleStart(closed), at('2019-12-31T00:00:00Z')).map(row);
    expect(rows.at(-1)).toBe('2019-11-15T09:00:00.000Z remind-t10');
    expect(nextDue(closed, at('2019-11-20T12:00:00Z'))).toBeUndefined();
  });
});

describe('bank holidays and clock changes', () => {
  it('steps over Christmas and Boxing Day and the weekend for the daily reminders', () => {
    const release = seed({ implementation: { date: '2019-12-31', time: '09:00', zone: 'Europe/London' } }, '2019-12-02T09:00:00.000Z');
    const daily = allOccurrences(release)
      .filter((o) => o.point === 'remind-daily')
      .map((o) => dayIn(o));
    expect(daily).toEqual(['2019-12-23', '2019-12-24', '2019-12-27', '2019-12-30']);
    // T-3 working days before 31 Dec is 24 Dec: 30, 27 and 24, stepping over 25/26 Dec and the weekend.
    expect(dayIn(allOccurrences(release).find((o) => o.point === 'escalation')!)).toBe('2019-12-24');
    for (const o of allOccurrences(release)) expect(isWorkingDay(dayIn(o), release.holidays), row(o)).toBe(true);
  });

  it('keeps local times across the London clock change of 27 Oct 2019', () => {
    const release = seed({ implementation: { date: '2019-10-29', time: '09:00', zone: 'Europe/London' }, groups: [] }, '2019-10-01T09:00:00.000Z');
    const rows = occurrences(release, at('2019-10-21T00:00:00Z'), at('2019-10-31T00:00:00Z')).map(row);
    expect(rows).toEqual([
      // British Summer Time: 09:00 is 08:00 UTC.
      '2019-10-22T08:00:00.000Z remind-t5',
      '2019-10-23T08:00:00.000Z remind-daily',
      '2019-10-24T08:00:00.000Z remind-daily',
      '2019-10-24T08:00:00.000Z escalation',
      '2019-10-25T08:00:00.000Z remind-daily',
      // Greenwich Mean Time from the Sunday: 09:00 is 09:00 UTC; nothing on Saturday or Sunday.
      '2019-10-28T09:00:00.000Z remind-daily',
      '2019-10-28T10:00:00.000Z go-no-go',
      '2019-10-29T09:00:00.000Z go-live',
      '2019-10-30T09:00:00.000Z outcome-ask',
    ]);
  });

  it('reads a time the clocks skip that day as zonedInstant does (Tehran, 22 Mar 2019, 00:00 to 01:00)', () => {
    const release = seed(
      {
        implementation: { date: '2019-03-25', time: '09:00', zone: 'Asia/Tehran' },
        holidays: [],
        schedule: SchedulePlan.parse([{ id: 'early', kind: 'reminder', when: 'T-1 00:30' }]),
      },
      '2019-03-01T00:00:00.000Z',
    );
    const [early] = allOccurrences(release);
    expect(early!.dueAt).toBe(zonedInstant('2019-03-22', '00:30', 'Asia/Tehran').toISOString());
    expect(early!.dueAt).toBe('2019-03-21T21:00:00.000Z');
  });
});

describe('nextDue', () => {
  const release = seed();
  it('gives the earliest occurrence strictly after an instant', () => {
    expect(nextDue(release, at('2019-11-01T00:00:00Z'))!.point).toBe('kickoff');
    expect(nextDue(release, at('2019-11-07T09:00:00Z'))!.key).toBe('nov-2019-sec:remind-t15:2019-11-08T09:00:00.000Z');
    expect(nextDue(release, at('2019-11-26T09:00:00Z'))!.dueAt).toBe('2019-11-27T09:00:00.000Z');
    expect(nextDue(release, at('2019-12-02T09:00:00Z'))).toBeUndefined();
  });
});

describe('catchUp after downtime', () => {
  const release = seed();

  it('keeps announcements (marked late), collapses reminders into the newest, and drops expired evidence deadlines', () => {
    const early = seed({}, '2019-11-01T09:00:00.000Z');
    // Down from 4 Nov to 9 Nov 12:00: two evidence reminders and deadlines, and a reminder.
    const due = occurrences(early, at('2019-11-04T00:00:00Z'), at('2019-11-09T12:00:00Z'));
    const result = catchUp(due, at('2019-11-09T12:00:00Z'));
    expect(result.send.map(row)).toEqual(['2019-11-08T09:00:00.000Z remind-t15']);
    expect(result.dropped.map((d) => `${d.why} ${row(d.occurrence)}`)).toEqual([
      'expired 2019-11-05T09:00:00.000Z evidence-reminder opsg',
      'expired 2019-11-05T09:00:00.000Z evidence-reminder tag',
      'expired 2019-11-06T17:00:00.000Z evidence-deadline opsg',
      'expired 2019-11-06T17:00:00.000Z evidence-deadline tag',
    ]);
  });

  it('sends an evidence deadline late while its meeting is still ahead', () => {
    const early = seed({}, '2019-11-01T09:00:00.000Z');
    const due = occurrences(early, at('2019-11-06T12:00:00Z'), at('2019-11-07T08:00:00Z'));
    const result = catchUp(due, at('2019-11-07T08:00:00Z'));
    expect(result.send.map((o) => `${row(o)} late=${o.late}`)).toEqual(['2019-11-06T17:00:00.000Z evidence-deadline opsg late=true', '2019-11-06T17:00:00.000Z evidence-deadline tag late=true']);
  });

  it('collapses several reminders of one kind into the newest, and keeps every announcement once', () => {
    const now = at('2019-11-28T12:00:00Z');
    const due = occurrences(release, at('2019-11-21T00:00:00Z'), now);
    const result = catchUp(due, now);
    expect(result.send.map((o) => `${row(o)} late=${o.late}`)).toEqual([
      '2019-11-26T09:00:00.000Z escalation late=true',
      '2019-11-28T09:00:00.000Z remind-daily late=true',
      '2019-11-28T10:00:00.000Z go-no-go late=true',
    ]);
    const reminder = result.send.find((o) => o.kind === 'reminder')!;
    expect(reminder.replaces).toEqual([
      'nov-2019-sec:remind-t5:2019-11-22T09:00:00.000Z',
      'nov-2019-sec:remind-daily:2019-11-25T09:00:00.000Z',
      'nov-2019-sec:remind-daily:2019-11-26T09:00:00.000Z',
      'nov-2019-sec:remind-daily:2019-11-27T09:00:00.000Z',
    ]);
    expect(result.dropped.filter((d) => d.why === 'collapsed')).toHaveLength(4);
  });

  it('drops reminders whose subject is answered by now, through the predicate', () => {
    const answered = seed();
    for (const c of answered.criteria) c.responses.push(met('2019-11-20T10:00:00.000Z', c.owners.roles[0] === 'SECAS' ? 'sam' : 'dan'));
    const now = at('2019-11-26T12:00:00Z');
    const due = occurrences(answered, at('2019-11-21T00:00:00Z'), now);
    const result = catchUp(due, now, (o) => stillWanted(answered, o, now));
    expect(result.send.map(row)).toEqual(['2019-11-26T09:00:00.000Z escalation']);
    expect(result.dropped.map((d) => `${d.why} ${d.occurrence.point}`)).toEqual(['answered remind-t5', 'answered remind-daily', 'answered remind-daily']);
  });

  it('leaves out anything due after now and marks nothing late that is due exactly now', () => {
    const now = at('2019-11-28T10:00:00Z');
    const result = catchUp(occurrences(release, at('2019-11-28T09:30:00Z'), at('2019-12-31T00:00:00Z')), now);
    expect(result.send.map((o) => `${o.point} late=${o.late}`)).toEqual(['go-no-go late=false']);
  });
});

describe('audience', () => {
  it('reminds each owner once, listing all of their unanswered, stale and need-info criteria', () => {
    const release = seed();
    const [code, phases, , , , , secas] = release.criteria;
    code!.responses.push({ answer: 'need-info', comment: 'which build?', evidence: [], by: 'dan', platform: 'console', at: '2019-11-10T10:00:00.000Z' });
    phases!.responses.push(met('2019-11-10T10:00:00.000Z'));
    secas!.responses.push(met('2019-11-10T10:00:00.000Z', 'sam'));
    release.dateChanges.push({ from: { date: '2019-11-29', time: '09:00' }, to: { date: '2019-11-29', time: '10:00' }, reason: 'x', by: 'rita', at: '2019-11-11T10:00:00.000Z' });
    release.roles.DCC = ['dan', 'dora'];
    const reminder = allOccurrences(release).find((o) => o.point === 'remind-t5')!;
    const audience = audienceOf(release, reminder, at(reminder.dueAt));
    expect(audience.channels).toEqual([]);
    expect(audience.direct.map((m) => `${m.person}: ${m.criteria.map((c) => `${c.number} ${c.why}`).join(', ')}`)).toEqual([
      'dan: 1 stale, 2 stale, 3 unanswered, 4 unanswered, 5 unanswered, 6 unanswered',
      'dora: 1 stale, 2 stale, 3 unanswered, 4 unanswered, 5 unanswered, 6 unanswered',
      'sam: 7 stale',
    ]);
  });

  it('names need-info answers, escalates open items to the managers and announces in the linked channels', () => {
    const release = seed();
    release.criteria[0]!.responses.push({ answer: 'need-info', comment: 'which build?', evidence: [], by: 'dan', platform: 'console', at: '2019-11-10T10:00:00.000Z' });
    const find = (point: string) => allOccurrences(release).find((o) => o.point === point)!;
    const now = at('2019-11-26T09:00:00Z');
    expect(audienceOf(release, find('remind-t5'), now).direct.find((m) => m.person === 'dan')!.criteria[0]).toEqual({ criterion: 'code-ready', number: 1, why: 'need-info' });
    const escalation = audienceOf(release, find('escalation'), now);
    expect(escalation.direct.map((m) => m.person)).toEqual(['rita']);
    expect(escalation.direct[0]!.blockers.length).toBeGreaterThan(0);
    expect(audienceOf(release, find('go-no-go'), now).channels).toEqual([{ platform: 'console', id: 'general' }]);
    const onTheDay = audienceOf(release, find('go-live'), at('2019-11-29T09:00:00Z'));
    expect(onTheDay.variant).toBe('no-go');
    expect(onTheDay.channels).toEqual([{ platform: 'console', id: 'general' }]);
    expect(audienceOf(release, find('outcome-ask'), at('2019-12-02T09:00:00Z')).direct.map((m) => m.person)).toEqual(['rita']);
  });

  it('asks nobody for the outcome of a closed release', () => {
    const closed = seed({ outcome: { result: 'went-live', by: 'rita', platform: 'console', at: '2019-11-29T12:00:00.000Z' } });
    const ask = allOccurrences(seed()).find((o) => o.point === 'outcome-ask')!;
    expect(stillWanted(closed, ask, at('2019-12-02T09:00:00Z'))).toBe(false);
  });
});

describe('plans in templates', () => {
  it('gives software-release a shorter plan', () => {
    const release = Release.parse(releaseFromTemplate(software, { id: 'r', name: 'R', date: '2025-06-13', by: 'rita', at: '2025-06-02T09:00:00.000Z' }));
    expect(occurrences(release, scheduleStart(release), at('2025-06-30T00:00:00Z')).map(row)).toEqual([
      '2025-06-02T09:00:00.000Z kickoff',
      '2025-06-06T08:00:00.000Z remind-t5',
      '2025-06-11T08:00:00.000Z remind-daily',
      '2025-06-11T08:00:00.000Z escalation',
      '2025-06-12T08:00:00.000Z remind-daily',
      '2025-06-12T09:00:00.000Z go-no-go',
      '2025-06-13T08:00:00.000Z go-live',
      '2025-06-16T08:00:00.000Z outcome-ask',
    ]);
  });

  it('refuses a plan with a time it cannot read, a duplicate point, or an evidence deadline not timed from a meeting', () => {
    const bad = (schedule: unknown) => Template.safeParse({ ...sec, schedule }).success;
    expect(bad([{ id: 'a', kind: 'reminder', when: 'T-3 9am' }])).toBe(false);
    expect(bad([{ id: 'a', kind: 'reminder', when: 'T-1..T-3 09:00' }])).toBe(false);
    expect(
      bad([
        { id: 'a', kind: 'reminder', when: 'T-3 09:00' },
        { id: 'a', kind: 'escalation', when: 'T-2 09:00' },
      ]),
    ).toBe(false);
    expect(bad([{ id: 'a', kind: 'evidence-deadline', when: 'T-3 17:00' }])).toBe(false);
    expect(bad([{ id: 'a', kind: 'reminder', when: 'meeting-2 09:00' }])).toBe(false);
    expect(bad([{ id: 'a', kind: 'reminder', when: 'T-3 09:00' }])).toBe(true);
  });
});
