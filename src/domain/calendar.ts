// Each function from its own module: the package's index loads all of date-fns's 300 (a sixth of an empty start).
import { addDays } from 'date-fns/addDays';
import { format } from 'date-fns/format';
import { isWeekend } from 'date-fns/isWeekend';
import { TZDate, tz, tzOffset } from '@date-fns/tz';
import { dateTimeFormat } from './intl-formats.js';
import { isKnownZone, isRealDate } from './primitives.js';
import type { Implementation } from './release.js';

// Calendar dates ('YYYY-MM-DD') carry no zone; doing their arithmetic in UTC keeps the host's
// own zone (and its clock changes) out of it.
const UTC = tz('UTC');
const DAY_MS = 86_400_000;

function toDay(date: string): Date {
  if (!isRealDate(date)) throw new RangeError(`"${date}" is not a date written YYYY-MM-DD`);
  return new Date(`${date}T00:00:00Z`);
}

// Plain UTC arithmetic (no zone is involved in a calendar date): the scheduler walks working days
// for every schedule point of every release, and date-fns' zoned helpers cost ~100x more.
const dayText = (day: Date): string => day.toISOString().slice(0, 10);

function parseTime(time: string): [number, number] {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`"${time}" is not a time written HH:MM`);
  return [Number(match[1]), Number(match[2])];
}

function working(day: Date, holidays: ReadonlySet<string>): boolean {
  const weekday = day.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(dayText(day));
}

/** Saturdays, Sundays and the given holidays are not working days. */
export function isWorkingDay(date: string, holidays: readonly string[]): boolean {
  return working(toDay(date), new Set(holidays));
}

/**
 * Moves n working days from `date` (back when n < 0). Non-working days are stepped over, so the
 * result of a non-zero n is always a working day; n = 0 returns `date` unchanged, even when it
 * is a weekend or holiday.
 */
export function addWorkingDays(date: string, n: number, holidays: readonly string[]): string {
  if (!Number.isInteger(n)) throw new RangeError(`working days must be a whole number, not ${n}`);
  const off = new Set(holidays);
  const step = Math.sign(n);
  let day = toDay(date);
  for (let left = Math.abs(n); left > 0; ) {
    day = new Date(day.getTime() + step * DAY_MS);
    if (working(day, off)) left -= 1;
  }
  return dayText(day);
}

/**
 * Working days after `from`, up to and including `to` (the half-open range (from, to]), so Friday
 * to the next Monday is 1 and a day to itself is 0: the days you step onto walking from `from` to
 * `to`. Backwards (`to` before `from`) the count is negative and, by the same reading, covers
 * [to, from). Either way addWorkingDays(from, workingDaysBetween(from, to)) === to for a working `to`.
 */
export function workingDaysBetween(from: string, to: string, holidays: readonly string[]): number {
  const start = toDay(from);
  const end = toDay(to);
  const off = new Set(holidays);
  const [first, last, sign] = end >= start ? [addDays(start, 1, { in: UTC }), end, 1] : [end, addDays(start, -1, { in: UTC }), -1];
  let count = 0;
  for (let day: Date = first; day <= last; day = addDays(day, 1, { in: UTC })) {
    if (working(day, off)) count += 1;
  }
  return count === 0 ? 0 : sign * count;
}

/**
 * The instant a wall-clock date and time happen in `zone`. Clock changes make some local times
 * ambiguous; we resolve them as RFC 5545 and Temporal's "compatible" mode do, so a deadline never
 * slips later than people expect:
 * - a time that does not exist (the hour skipped in spring) is read with the offset in force before
 *   the gap, i.e. pushed forward by the gap: 01:30 on London's spring-forward day is 02:30 BST;
 * - a time that happens twice (the hour repeated in autumn) is its first occurrence: 01:30 on
 *   London's fall-back day is 01:30 BST (00:30 UTC), not 01:30 GMT.
 * (TZDate alone picks the second occurrence in autumn, hence this function.)
 */
export function zonedInstant(date: string, time: string, zone: string): Date {
  const key = `${date} ${time} ${zone}`;
  const known = instants.get(key);
  if (known !== undefined) return new Date(known);
  const at = resolveInstant(date, time, zone);
  // The answer never changes (zone rules are fixed for the process's life): a small memo spares
  // the scheduler the Intl look-ups of every schedule point of every release on each recomputation.
  if (instants.size >= 50_000) instants.clear();
  instants.set(key, at.getTime());
  return at;
}

const instants = new Map<string, number>();

function resolveInstant(date: string, time: string, zone: string): Date {
  const [hours, minutes] = parseTime(time);
  if (!isKnownZone(zone)) throw new RangeError(`"${zone}" is not an IANA time zone`);
  const wall = toDay(date).getTime() + (hours * 60 + minutes) * 60_000;
  // A day either side of the wall time is outside any single transition, so these are the
  // offsets in force before and after whatever change happens near it.
  const before = tzOffset(zone, new Date(wall - DAY_MS));
  const after = tzOffset(zone, new Date(wall + DAY_MS));
  const fits = [before, after].map((offset) => wall - offset * 60_000).filter((instant) => tzOffset(zone, new Date(instant)) * 60_000 === wall - instant);
  if (fits.length === 0) return new Date(wall - before * 60_000);
  return new Date(Math.min(...fits));
}

/** The wall-clock hour skipped when the clocks go forward: `from` jumps straight to `to`. */
export interface LocalTimeGap {
  /** The last wall time before the change, 'HH:MM' (the first that does not happen). */
  from: string;
  /** The wall time the clocks show right after the change, 'HH:MM'. */
  to: string;
}

const wallText = (ms: number): string => format(new Date(ms), 'HH:mm', { in: UTC });

/**
 * The gap a local time falls into when it does not exist in `zone` (the hour skipped in spring),
 * or undefined when it exists, including the repeated hour in autumn, which happens twice.
 * zonedInstant would quietly move such a time forward; people setting a go-live time should be
 * told instead.
 */
export function localTimeGap(date: string, time: string, zone: string): LocalTimeGap | undefined {
  const [hours, minutes] = parseTime(time);
  if (!isKnownZone(zone)) throw new RangeError(`"${zone}" is not an IANA time zone`);
  const wall = toDay(date).getTime() + (hours * 60 + minutes) * 60_000;
  const before = tzOffset(zone, new Date(wall - DAY_MS));
  const after = tzOffset(zone, new Date(wall + DAY_MS));
  const exists = [before, after].some((offset) => tzOffset(zone, new Date(wall - offset * 60_000)) === offset);
  if (exists || after <= before) return undefined;
  // The change happens between these two instants; transitions fall on whole minutes, so a
  // binary search over minutes finds the first instant on the new offset.
  let low = Math.floor((wall - after * 60_000) / 60_000);
  let high = Math.ceil((wall - before * 60_000) / 60_000);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (tzOffset(zone, new Date(mid * 60_000)) === after) high = mid;
    else low = mid;
  }
  const change = high * 60_000;
  return { from: wallText(change + before * 60_000), to: wallText(change + after * 60_000) };
}

export type NonWorkingReason = { kind: 'weekend'; weekday: 'Saturday' | 'Sunday' } | { kind: 'holiday' };

/** Why a day is not a working day (a weekend first, then the holiday list), or undefined if it is one. */
export function nonWorkingReason(date: string, holidays: readonly string[]): NonWorkingReason | undefined {
  const day = toDay(date);
  if (isWeekend(day, { in: UTC })) return { kind: 'weekend', weekday: day.getUTCDay() === 6 ? 'Saturday' : 'Sunday' };
  return holidays.includes(date) ? { kind: 'holiday' } : undefined;
}

/**
 * The year of `date` when the holiday list names no day in it: the calendar most likely stops
 * before that year (templates list years one by one), so working days that year are counted
 * as if there were no holidays at all. Undefined when the list covers the year.
 */
export function uncoveredHolidayYear(date: string, holidays: readonly string[]): number | undefined {
  toDay(date);
  const year = date.slice(0, 4);
  return holidays.some((holiday) => holiday.startsWith(`${year}-`)) ? undefined : Number(year);
}

/** The exact instant of the release's implementation date and time in its zone. */
export function implementationInstant(impl: Implementation): Date {
  return zonedInstant(impl.date, impl.time, impl.zone);
}

/**
 * "N working days before the implementation date, at HH:MM in the release's zone". N = 0 is the
 * implementation day itself; a negative N counts working days after it.
 */
export function schedulePoint(impl: Implementation, holidays: readonly string[], workingDaysBefore: number, at: string): Date {
  return zonedInstant(addWorkingDays(impl.date, -workingDaysBefore, holidays), at, impl.zone);
}

/**
 * The zone's everyday abbreviation where one is widely understood (GMT, BST, CET, EST), else its
 * offset (GMT+5:30): an unfamiliar abbreviation would mislead more than it helps.
 */
export function zoneLabel(instant: Date, zone: string): string {
  const label = (locale: string) =>
    dateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' })
      .formatToParts(instant)
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const british = label('en-GB');
  if (/^[A-Z]{2,5}$/.test(british)) return british;
  const american = label('en-US');
  return /^[A-Z]{2,5}$/.test(american) ? american : british;
}

export const DEFAULT_PATTERN = 'EEE d MMM yyyy HH:mm zzz';

/**
 * An instant as wall-clock time in `zone`, with date-fns pattern tokens. The `z`..`zzz` token is
 * rendered as zoneLabel (date-fns alone prints "GMT+0" for London in winter).
 */
export function formatInZone(instant: Date, zone: string, pattern: string = DEFAULT_PATTERN): string {
  const key = `${instant.getTime()} ${zone} ${pattern}`;
  const known = formatted.get(key);
  if (known !== undefined) return known;
  const text = formatUncached(instant, zone, pattern);
  // The same instants (answers, sign-offs, deadlines) are shown on every status of a release, and
  // each costs several time-zone look-ups through Intl: the text is kept, as zonedInstant keeps its answers.
  if (formatted.size >= 20_000) formatted.clear();
  formatted.set(key, text);
  return text;
}

const formatted = new Map<string, string>();

function formatUncached(instant: Date, zone: string, pattern: string): string {
  const label = `'${zoneLabel(instant, zone).replace(/'/g, "''")}'`;
  // Only unquoted text holds tokens: split on quoted literals and rewrite the rest.
  const rewritten = pattern
    .split(/('(?:[^']|'')*'?)/)
    .map((part) => (part.startsWith("'") ? part : part.replace(/(?<!z)z{1,3}(?!z)/g, label)))
    .join('');
  return format(new TZDate(instant.getTime(), zone), rewritten);
}

const UNITS = [
  ['day', DAY_MS],
  ['hour', 3_600_000],
  ['minute', 60_000],
] as const;

function span(ms: number): string {
  const i = UNITS.findIndex(([, size]) => ms >= size);
  if (i < 0) return '';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const [unit, size] = UNITS[i]!;
  const whole = Math.floor(ms / size);
  const next = UNITS[i + 1];
  const rest = next ? Math.floor((ms - whole * size) / next[1]) : 0;
  return next && rest > 0 ? `${plural(whole, unit)} ${plural(rest, next[0])}` : plural(whole, unit);
}

/**
 * Time from `now` to `target` in the two largest units, rounded down: "3 days 4 hours",
 * "45 minutes", "less than a minute"; once `target` is reached: "passed 2 days ago",
 * "passed just now".
 */
export function timeLeft(now: Date, target: Date): string {
  const ms = target.getTime() - now.getTime();
  if (ms > 0) return span(ms) || 'less than a minute';
  const ago = span(-ms);
  return ago ? `passed ${ago} ago` : 'passed just now';
}
