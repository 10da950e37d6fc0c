import { formatInZone } from '../domain/calendar.js';
import { dateTimeFormat } from '../domain/intl-formats.js';
import type { Implementation } from '../domain/release.js';

/** An instant as people of this release read it: in the release's own zone, zone named. */
export function when(at: string | Date, zone: string): string {
  return formatInZone(typeof at === 'string' ? new Date(at) : at, zone, 'd MMM yyyy HH:mm zzz');
}

// A status shows the same dates on every read, and formatting one through Intl (and finding its
// formatter) costs tens of microseconds: each day's text is remembered by the date, all it depends
// on, as formatInZone remembers an instant's. Bounded, as a cache of anything.
const texts = new Map<string, string>();
const MAX_TEXTS = 10_000;

function remembered(key: string, make: () => string): string {
  const known = texts.get(key);
  if (known !== undefined) return known;
  const made = make();
  if (texts.size >= MAX_TEXTS) texts.clear();
  texts.set(key, made);
  return made;
}

const DAY_OPTIONS: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' };

export function day(date: string): string {
  return remembered(date, () => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return dateTimeFormat('en-GB', DAY_OPTIONS).format(new Date(Date.UTC(y, m - 1, d)));
  });
}

export function implementationText(impl: Implementation): string {
  return `${day(impl.date)} ${impl.time} (${impl.zone})`;
}

export const ANSWER_WORDS = { met: 'met', 'not-met': 'not met', 'need-info': 'needs more information', withdrawn: 'withdrawn' } as const;

/** The verdict as people read it: an approver's GO over open blockers is GO (override). */
export function verdictText(readiness: { verdict: string; override?: unknown }): string {
  return readiness.override ? 'GO (override)' : readiness.verdict;
}
