import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addWorkingDays,
  formatInZone,
  implementationInstant,
  isWorkingDay,
  localTimeGap,
  nonWorkingReason,
  schedulePoint,
  timeLeft,
  uncoveredHolidayYear,
  workingDaysBetween,
  zonedInstant,
} from '../src/domain/calendar.js';

const iso = (d: Date) => d.toISOString();
const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const EW_2019 = ['2019-01-01', '2019-04-19', '2019-04-22', '2019-05-06', '2019-05-27', '2019-08-26', '2019-12-25', '2019-12-26'];
const CHRISTMAS_2025 = ['2025-12-25', '2025-12-26', '2026-01-01'];

describe('working days', () => {
  it('skips weekends and holidays', () => {
    expect(isWorkingDay('2019-11-29', EW_2019)).toBe(true); // Friday
    expect(isWorkingDay('2019-11-30', EW_2019)).toBe(false); // Saturday
    expect(isWorkingDay('2019-12-01', EW_2019)).toBe(false); // Sunday
    expect(isWorkingDay('2019-12-25', EW_2019)).toBe(false); // Wednesday, Christmas
    expect(isWorkingDay('2019-12-25', [])).toBe(true);
  });

  it('counts the seed paper window: 8 Nov to 29 Nov 2019 is 15 working days', () => {
    expect(workingDaysBetween('2019-11-08', '2019-11-29', [])).toBe(15);
    expect(workingDaysBetween('2019-11-08', '2019-11-29', EW_2019)).toBe(15);
    expect(addWorkingDays('2019-11-29', -15, EW_2019)).toBe('2019-11-08');
  });

  it('counts (from, to] forwards and [to, from) backwards, negative', () => {
    expect(workingDaysBetween('2019-11-29', '2019-11-29', [])).toBe(0);
    expect(workingDaysBetween('2019-11-29', '2019-12-02', [])).toBe(1); // Fri -> Mon
    expect(workingDaysBetween('2019-11-30', '2019-12-01', [])).toBe(0); // Sat -> Sun
    expect(workingDaysBetween('2019-11-29', '2019-11-08', [])).toBe(-15);
    expect(workingDaysBetween('2019-12-01', '2019-11-29', [])).toBe(-1); // Sun back to Fri: [Fri, Sun)
    expect(workingDaysBetween('2019-11-30', '2019-11-29', [])).toBe(-1);
  });

  it('handles zero and negative n', () => {
    expect(addWorkingDays('2019-11-30', 0, [])).toBe('2019-11-30'); // zero keeps even a Saturday
    expect(addWorkingDays('2019-11-29', 1, [])).toBe('2019-12-02');
    expect(addWorkingDays('2019-11-30', 1, [])).toBe('2019-12-02');
    expect(addWorkingDays('2019-12-02', -1, [])).toBe('2019-11-29');
    expect(addWorkingDays('2019-11-30', -1, [])).toBe('2019-11-29');
    expect(() => addWorkingDays('2019-11-29', 1.5, [])).toThrow(RangeError);
    expect(() => addWorkingDays('2019-02-30', 1, [])).toThrow(RangeError);
  });

  it('steps over Christmas and New Year bank holidays before a release on 2026-01-05', () => {
    const release = '2026-01-05'; // Monday
    expect(addWorkingDays(release, -1, CHRISTMAS_2025)).toBe('2026-01-02');
    expect(addWorkingDays(release, -2, CHRISTMAS_2025)).toBe('2025-12-31'); // skips 1 Jan
    expect(addWorkingDays(release, -5, CHRISTMAS_2025)).toBe('2025-12-24'); // skips 25, 26 Dec and the weekend
    expect(addWorkingDays(release, -5, [])).toBe('2025-12-29');
    expect(workingDaysBetween('2025-12-19', release, CHRISTMAS_2025)).toBe(8);
    expect(workingDaysBetween('2025-12-19', release, [])).toBe(11);
  });

  it('is the inverse of addWorkingDays for any working target', () => {
    const dates = fc.integer({ min: 0, max: 3000 }).map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(dates, fc.integer({ min: -60, max: 60 }), (from, n) => {
        const to = addWorkingDays(from, n, CHRISTMAS_2025);
        expect(workingDaysBetween(from, to, CHRISTMAS_2025)).toBe(n);
        if (n !== 0) expect(isWorkingDay(to, CHRISTMAS_2025)).toBe(true);
      }),
    );
  });
});

describe('instants', () => {
  it('places the seed release: 29 Nov 2019 09:00 London is 09:00 UTC, OPSG/TAG 15 working days before', () => {
    const impl = { date: '2019-11-29', time: '09:00', zone: LONDON };
    expect(iso(implementationInstant(impl))).toBe('2019-11-29T09:00:00.000Z');
    expect(iso(schedulePoint(impl, EW_2019, 0, '09:00'))).toBe('2019-11-29T09:00:00.000Z');
    expect(iso(schedulePoint(impl, EW_2019, 15, '10:00'))).toBe('2019-11-08T10:00:00.000Z');
    expect(iso(schedulePoint(impl, EW_2019, 1, '17:30'))).toBe('2019-11-28T17:30:00.000Z');
  });

  it('crosses the spring clock change in London (30 Mar 2025)', () => {
    const impl = { date: '2025-04-01', time: '09:00', zone: LONDON }; // Tuesday after the change
    expect(iso(implementationInstant(impl))).toBe('2025-04-01T08:00:00.000Z'); // BST
    expect(iso(schedulePoint(impl, [], 1, '09:00'))).toBe('2025-03-31T08:00:00.000Z'); // Monday, BST
    expect(iso(schedulePoint(impl, [], 2, '09:00'))).toBe('2025-03-28T09:00:00.000Z'); // Friday, still GMT
  });

  it('crosses the autumn clock change in London (26 Oct 2025)', () => {
    const impl = { date: '2025-10-28', time: '09:00', zone: LONDON };
    expect(iso(implementationInstant(impl))).toBe('2025-10-28T09:00:00.000Z'); // GMT
    expect(iso(schedulePoint(impl, [], 1, '09:00'))).toBe('2025-10-27T09:00:00.000Z');
    expect(iso(schedulePoint(impl, [], 2, '09:00'))).toBe('2025-10-24T08:00:00.000Z'); // Friday, still BST
  });

  it('pushes a non-existent local time forward by the gap (spring forward)', () => {
    expect(iso(implementationInstant({ date: '2025-03-30', time: '01:30', zone: LONDON }))).toBe('2025-03-30T01:30:00.000Z'); // = 02:30 BST
    expect(iso(zonedInstant('2025-03-30', '00:59', LONDON))).toBe('2025-03-30T00:59:00.000Z');
    expect(iso(zonedInstant('2025-03-30', '01:00', LONDON))).toBe('2025-03-30T01:00:00.000Z'); // = 02:00 BST
    expect(iso(zonedInstant('2025-03-30', '02:00', LONDON))).toBe('2025-03-30T01:00:00.000Z');
    expect(formatInZone(zonedInstant('2025-03-30', '01:30', LONDON), LONDON)).toBe('Sun 30 Mar 2025 02:30 BST');
  });

  it('takes the first of a repeated local time (fall back)', () => {
    expect(iso(implementationInstant({ date: '2025-10-26', time: '01:30', zone: LONDON }))).toBe('2025-10-26T00:30:00.000Z'); // 01:30 BST
    expect(iso(zonedInstant('2025-10-26', '01:00', LONDON))).toBe('2025-10-26T00:00:00.000Z');
    expect(iso(zonedInstant('2025-10-26', '00:59', LONDON))).toBe('2025-10-25T23:59:00.000Z');
    expect(iso(zonedInstant('2025-10-26', '02:00', LONDON))).toBe('2025-10-26T02:00:00.000Z'); // GMT again
    expect(formatInZone(zonedInstant('2025-10-26', '01:30', LONDON), LONDON)).toBe('Sun 26 Oct 2025 01:30 BST');
  });

  it('works in America/New_York, with its own clock changes', () => {
    const impl = { date: '2025-03-11', time: '09:00', zone: NEW_YORK }; // Tuesday after 9 Mar
    expect(iso(implementationInstant(impl))).toBe('2025-03-11T13:00:00.000Z'); // EDT
    expect(iso(schedulePoint(impl, [], 2, '09:00'))).toBe('2025-03-07T14:00:00.000Z'); // EST
    expect(iso(zonedInstant('2025-03-09', '02:30', NEW_YORK))).toBe('2025-03-09T07:30:00.000Z'); // = 03:30 EDT
    expect(iso(zonedInstant('2025-11-02', '01:30', NEW_YORK))).toBe('2025-11-02T05:30:00.000Z'); // first, EDT
    expect(iso(implementationInstant({ date: '2019-11-29', time: '09:00', zone: NEW_YORK }))).toBe('2019-11-29T14:00:00.000Z');
  });

  it('refuses malformed input', () => {
    expect(() => zonedInstant('2025-03-09', '24:00', LONDON)).toThrow(RangeError);
    expect(() => zonedInstant('2025-3-9', '09:00', LONDON)).toThrow(RangeError);
    expect(() => zonedInstant('2025-03-09', '09:00', 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('local times the clocks skip', () => {
  it('names the London spring-forward gap, 01:00 to 02:00, and nothing either side of it', () => {
    expect(localTimeGap('2026-03-29', '01:30', LONDON)).toEqual({ from: '01:00', to: '02:00' });
    expect(localTimeGap('2026-03-29', '01:00', LONDON)).toEqual({ from: '01:00', to: '02:00' });
    expect(localTimeGap('2026-03-29', '01:59', LONDON)).toEqual({ from: '01:00', to: '02:00' });
    expect(localTimeGap('2026-03-29', '00:59', LONDON)).toBeUndefined();
    expect(localTimeGap('2026-03-29', '02:00', LONDON)).toBeUndefined();
    expect(localTimeGap('2026-03-30', '01:30', LONDON)).toBeUndefined(); // the next day is ordinary
  });

  it('accepts the repeated hour in autumn: it exists (twice)', () => {
    expect(localTimeGap('2026-10-25', '01:30', LONDON)).toBeUndefined();
    expect(localTimeGap('2025-10-26', '01:00', LONDON)).toBeUndefined();
    expect(localTimeGap('2026-11-01', '01:30', NEW_YORK)).toBeUndefined();
  });

  it('names the New York gap, 02:00 to 03:00', () => {
    expect(localTimeGap('2026-03-08', '02:30', NEW_YORK)).toEqual({ from: '02:00', to: '03:00' });
    expect(localTimeGap('2026-03-08', '01:59', NEW_YORK)).toBeUndefined();
    expect(localTimeGap('2026-03-08', '03:00', NEW_YORK)).toBeUndefined();
  });

  it('finds no gap in zones without clock changes', () => {
    for (const zone of ['Asia/Kolkata', 'UTC', 'Asia/Tokyo']) {
      for (const time of ['00:00', '01:30', '02:30', '23:59']) {
        expect(localTimeGap('2026-03-29', time, zone)).toBeUndefined();
        expect(localTimeGap('2026-03-08', time, zone)).toBeUndefined();
      }
    }
  });

  it('agrees with zonedInstant: exactly the times it has to push forward are gaps', () => {
    const times = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const days = fc.constantFrom('2026-03-29', '2026-10-25', '2026-03-08', '2026-11-01', '2026-06-01');
    fc.assert(
      fc.property(days, times, fc.constantFrom(LONDON, NEW_YORK), (date, time, zone) => {
        const instant = zonedInstant(date, time, zone);
        const shown = formatInZone(instant, zone, 'HH:mm');
        expect(localTimeGap(date, time, zone) !== undefined).toBe(shown !== time);
      }),
    );
  });

  it('refuses malformed input like zonedInstant', () => {
    expect(() => localTimeGap('2026-03-29', '24:00', LONDON)).toThrow(RangeError);
    expect(() => localTimeGap('2026-02-30', '01:30', LONDON)).toThrow(RangeError);
    expect(() => localTimeGap('2026-03-29', '01:30', 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('why a day is not a working day', () => {
  const SEC_2026 = ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28'];

  it('names the weekday of a weekend, then the holiday list', () => {
    expect(nonWorkingReason('2025-11-29', SEC_2026)).toEqual({ kind: 'weekend', weekday: 'Saturday' });
    expect(nonWorkingReason('2025-11-30', SEC_2026)).toEqual({ kind: 'weekend', weekday: 'Sunday' });
    expect(nonWorkingReason('2026-12-25', SEC_2026)).toEqual({ kind: 'holiday' }); // a Friday
    expect(nonWorkingReason('2026-12-26', SEC_2026)).toEqual({ kind: 'weekend', weekday: 'Saturday' }); // Boxing Day, substituted to the 28th
    expect(nonWorkingReason('2026-12-28', SEC_2026)).toEqual({ kind: 'holiday' });
    expect(nonWorkingReason('2026-12-24', SEC_2026)).toBeUndefined();
    expect(nonWorkingReason('2026-12-25', [])).toBeUndefined();
  });

  it('says which year the holiday list does not cover', () => {
    expect(uncoveredHolidayYear('2026-06-01', SEC_2026)).toBeUndefined();
    expect(uncoveredHolidayYear('2030-06-03', SEC_2026)).toBe(2030);
    expect(uncoveredHolidayYear('2025-12-31', SEC_2026)).toBe(2025);
    expect(uncoveredHolidayYear('2019-11-29', EW_2019)).toBeUndefined();
    expect(uncoveredHolidayYear('2019-11-29', [])).toBe(2019);
    expect(() => uncoveredHolidayYear('2019-13-01', EW_2019)).toThrow(RangeError);
  });
});

describe('display', () => {
  const seed = new Date('2019-11-29T09:00:00Z');

  it('formats in the zone with an abbreviation or offset', () => {
    expect(formatInZone(seed, LONDON)).toBe('Fri 29 Nov 2019 09:00 GMT');
    expect(formatInZone(new Date('2025-07-01T08:00:00Z'), LONDON)).toBe('Tue 1 Jul 2025 09:00 BST');
    expect(formatInZone(seed, NEW_YORK)).toBe('Fri 29 Nov 2019 04:00 EST');
    expect(formatInZone(seed, 'Asia/Kolkata')).toBe('Fri 29 Nov 2019 14:30 GMT+5:30');
    expect(formatInZone(seed, 'UTC')).toBe('Fri 29 Nov 2019 09:00 UTC');
  });

  it('honours a custom pattern and leaves quoted text alone', () => {
    expect(formatInZone(seed, LONDON, 'd MMM yyyy HH:mm zzz')).toBe('29 Nov 2019 09:00 GMT');
    expect(formatInZone(seed, LONDON, "HH:mm 'zone' z")).toBe('09:00 zone GMT');
    expect(formatInZone(seed, LONDON, 'yyyy-MM-dd')).toBe('2019-11-29');
  });

  it('says how long is left, or how long ago it passed', () => {
    const at = (s: string) => new Date(s);
    expect(timeLeft(at('2019-11-26T05:00:00Z'), seed)).toBe('3 days 4 hours');
    expect(timeLeft(at('2019-11-26T09:00:00Z'), seed)).toBe('3 days');
    expect(timeLeft(at('2019-11-28T09:00:00Z'), seed)).toBe('1 day');
    expect(timeLeft(at('2019-11-29T07:15:00Z'), seed)).toBe('1 hour 45 minutes');
    expect(timeLeft(at('2019-11-29T08:15:00Z'), seed)).toBe('45 minutes');
    expect(timeLeft(at('2019-11-29T08:59:30Z'), seed)).toBe('less than a minute');
    expect(timeLeft(seed, seed)).toBe('passed just now');
    expect(timeLeft(at('2019-12-01T09:00:00Z'), seed)).toBe('passed 2 days ago');
    expect(timeLeft(at('2019-11-29T10:01:00Z'), seed)).toBe('passed 1 hour 1 minute ago');
  });
});
