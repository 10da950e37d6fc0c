import { addWorkingDays, implementationInstant, isWorkingDay, zonedInstant } from './calendar.js';
import type { Release } from './release.js';
import { parseDay, parseWhen, type ScheduleKind, type ScheduleOverride, type SchedulePoint, type When } from './schedule-plan.js';

// Where a release's schedule plan lands in time. Everything here is pure and recomputed from the
// release: moving the implementation date, a group's meeting or a point moves its occurrences,
// and an occurrence's key says exactly which one it is, so whoever acts on it can act once.

export interface Occurrence {
  /** `<release>:<point>:<dueAt>[:<group>]`: the same occurrence always has the same key. */
  key: string;
  release: string;
  point: string;
  kind: ScheduleKind;
  /** ISO instant, UTC. */
  dueAt: string;
  /** The review group, for points that happen once per group with a meeting date. */
  group?: string;
  /** From this instant on, sending it would be pointless (the meeting started, the release went live). */
  expiresAt?: string;
}

/** The release's plan; a release made before plans existed has an empty one. */
export function planOf(release: Release): SchedulePoint[] {
  return release.schedule ?? [];
}

export function overrideOf(release: Release, point: string): ScheduleOverride | undefined {
  return release.scheduleOverrides?.find((o) => o.point === point);
}

function timeOf(when: When): string | undefined {
  return 'time' in when ? when.time : undefined;
}

/**
 * The point's timing after a manager's override. A `T-n` override of a per-group point counts
 * back from each group's meeting, as the point itself does; a time alone keeps the day.
 */
export function effectiveWhen(point: SchedulePoint, override: ScheduleOverride | undefined, implementationTime: string): When {
  const base = parseWhen(point.when);
  if (!base) throw new RangeError(`schedule point ${point.id} has an unreadable time "${point.when}"`);
  if (!override || (override.day === undefined && override.time === undefined)) return base;
  const time = override.time ?? timeOf(base) ?? implementationTime;
  if (override.day !== undefined) {
    const day = parseDay(override.day, time);
    if (!day) throw new RangeError(`schedule override of ${point.id} has an unreadable day "${override.day}"`);
    if (base.anchor === 'meeting' && day.anchor === 'day') return { anchor: 'meeting', before: day.before, time };
    return day;
  }
  switch (base.anchor) {
    case 'created':
      return base;
    case 'implementation':
      return { anchor: 'day', before: 0, time };
    default:
      return { ...base, time };
  }
}

/** A day that is not a working day moves to the working day before it. */
export function workingDayOnOrBefore(date: string, holidays: readonly string[]): string {
  return isWorkingDay(date, holidays) ? date : addWorkingDays(date, -1, holidays);
}

/** The instant a review group's meeting day starts in the release's zone. */
export function meetingStart(meeting: string, zone: string): Date {
  return zonedInstant(meeting, '00:00', zone);
}

const iso = (d: Date) => d.toISOString();

/** Every occurrence of one point, over the whole life of the release, in time order. */
export function pointOccurrences(release: Release, point: SchedulePoint): Occurrence[] {
  const override = overrideOf(release, point.id);
  if (override?.off) return [];
  const { implementation: impl, holidays } = release;
  const when = effectiveWhen(point, override, impl.time);
  const implAt = iso(implementationInstant(impl));
  const onDay = (date: string, time: string) => iso(zonedInstant(workingDayOnOrBefore(date, holidays), time, impl.zone));
  const make = (dueAt: string, extra: { group?: string; expiresAt?: string } = {}): Occurrence => ({
    key: `${release.id}:${point.id}:${dueAt}${extra.group ? `:${extra.group}` : ''}`,
    release: release.id,
    point: point.id,
    kind: point.kind,
    dueAt,
    ...extra,
  });
  // A reminder after go-live reminds nobody of anything useful.
  const expiry = point.kind === 'reminder' ? { expiresAt: implAt } : {};
  let found: Occurrence[];
  switch (when.anchor) {
    case 'created':
      found = [make(iso(new Date(release.createdAt)))];
      break;
    case 'implementation':
      found = [make(implAt)];
      break;
    case 'day':
      found = [make(onDay(addWorkingDays(impl.date, -when.before, holidays), when.time), expiry)];
      break;
    case 'date':
      found = [make(onDay(when.date, when.time), expiry)];
      break;
    case 'daily': {
      const days = new Set<string>();
      for (let k = when.from; k >= when.to; k -= 1) days.add(onDay(addWorkingDays(impl.date, -k, holidays), when.time));
      found = [...days].map((dueAt) => make(dueAt, expiry));
      break;
    }
    case 'meeting':
      found = release.groups.flatMap((g) =>
        g.meeting === undefined ? [] : [make(onDay(addWorkingDays(g.meeting, -when.before, holidays), when.time), { group: g.id, expiresAt: iso(meetingStart(g.meeting, impl.zone)) })],
      );
      break;
  }
  // A per-group override to a fixed day still happens once per group.
  if (when.anchor === 'date' && (point.kind === 'evidence-deadline' || point.kind === 'evidence-reminder')) {
    const dueAt = found[0]!.dueAt;
    found = release.groups.flatMap((g) => (g.meeting === undefined ? [] : [make(dueAt, { group: g.id, expiresAt: iso(meetingStart(g.meeting, impl.zone)) })]));
  }
  // Nothing happens after a release is closed: it takes no more reminders or announcements.
  const closedAt = release.outcome ? Date.parse(release.outcome.at) : Infinity;
  return found.filter((o) => Date.parse(o.dueAt) <= closedAt).sort(byDue);
}

const byDue = (a: Occurrence, b: Occurrence) => Date.parse(a.dueAt) - Date.parse(b.dueAt);

/** Every occurrence of every point, over the release's whole life, in time order (plan order on ties). */
export function allOccurrences(release: Release): Occurrence[] {
  return planOf(release)
    .flatMap((p) => pointOccurrences(release, p))
    .sort(byDue);
}

/**
 * Every occurrence due in (from, to], in time order. Nothing due before the release was created
 * is returned: it never had a chance to happen (a meeting set late can put its evidence deadline
 * in the past). Points switched off are left out; overrides are honoured.
 */
export function occurrences(release: Release, from: Date, to: Date): Occurrence[] {
  const start = Math.max(from.getTime(), scheduleStart(release).getTime());
  return allOccurrences(release).filter((o) => {
    const due = Date.parse(o.dueAt);
    return due > start && due <= to.getTime();
  });
}

/**
 * Where a scheduler with no watermark yet starts: just before the release was created, so the
 * kickoff (due at creation) is in (start, now].
 */
export function scheduleStart(release: Release): Date {
  return new Date(Date.parse(release.createdAt) - 1);
}

/** The earliest occurrence due strictly after `after`, or undefined when nothing more is due. */
export function nextDue(release: Release, after: Date): Occurrence | undefined {
  const floor = Math.max(after.getTime(), scheduleStart(release).getTime());
  return allOccurrences(release).find((o) => Date.parse(o.dueAt) > floor);
}
