import type { Release } from '../domain/release.js';
import type { ScheduleKind, When } from '../domain/schedule-plan.js';
import { effectiveWhen, overrideOf, planOf, pointOccurrences, scheduleStart, type Occurrence } from '../domain/schedule.js';
import { b, heading, note, paragraph, t, type Block, type Span, type Status, type View } from './elements.js';
import { day, when as whenText } from './format.js';

// `schedule`: each point of the release's plan, when it next happens in the release's zone, what
// it will do, and what became of the ones already past.

export const KIND_WORDS: Record<ScheduleKind, string> = {
  kickoff: 'Posts the checklist to the linked channels and tells each owner what is theirs to answer.',
  reminder: 'Reminds the owners of unanswered, stale or need-info criteria: one message each, listing all of theirs.',
  'evidence-deadline': "Announces the group's evidence deadline in the linked channels, naming what is still missing.",
  'evidence-reminder': "Reminds the owners of what is still missing, the working day before the group's evidence deadline.",
  escalation: 'Tells the release managers everything still open.',
  'go-no-go': 'Announces the go/no-go verdict in the linked channels.',
  'go-live': 'On the day: announces go-live if the verdict is GO, or the no-go notice if not.',
  'outcome-ask': 'Asks the release managers how it ended (`/release close …`), unless it is closed.',
};

const offset = (n: number) => (n === 0 ? 'T-0, the implementation day' : n > 0 ? `T-${n}` : `T+${-n}`);

/** When a point happens, in words. */
export function whenWords(when: When): string {
  switch (when.anchor) {
    case 'created':
      return 'when the release is created';
    case 'implementation':
      return 'at the implementation time';
    case 'day':
      return `${offset(when.before)} at ${when.time}`;
    case 'daily':
      return `every working day from T-${when.from} to T-${when.to} at ${when.time}`;
    case 'meeting':
      return `${when.before} working day${when.before === 1 ? '' : 's'} before each review group's meeting, at ${when.time}`;
    case 'date':
      return `${day(when.date)} at ${when.time}`;
  }
}

type Fate = 'next' | 'done' | 'late' | 'before-creation' | 'later';

function fateOf(release: Release, o: Occurrence, now: Date, next: Occurrence | undefined): Fate {
  const due = Date.parse(o.dueAt);
  if (due <= scheduleStart(release).getTime()) return 'before-creation';
  if (due > now.getTime()) return o === next ? 'next' : 'later';
  const through = release.scheduledThrough === undefined ? -Infinity : Date.parse(release.scheduledThrough);
  return due <= through ? 'done' : 'late';
}

const FATE_WORDS: Record<Exclude<Fate, 'later'>, string> = {
  next: 'next',
  done: 'done',
  late: 'late: due, not acted on yet',
  'before-creation': 'before the release was created: skipped',
};

export function scheduleView(release: Release, now: Date): View {
  const zone = release.implementation.zone;
  const plan = planOf(release);
  const blocks: Block[] = [heading(`${release.name}: schedule`)];
  if (plan.length === 0) {
    blocks.push(paragraph(t('This release has no schedule: it was created before templates had one. golive acts only when asked.')));
    return { title: 'Schedule', blocks };
  }
  blocks.push(paragraph(t(`Times in ${zone}, in working days of the release's calendar before the implementation date (T). A point on a weekend or holiday moves to the working day before it.`)));
  for (const point of plan) {
    const override = overrideOf(release, point.id);
    const planned = effectiveWhen(point, override, release.implementation.time);
    const title: Span[] = [b(point.id), t(` · ${point.kind} · ${whenWords(planned)}`)];
    const lines: Span[][] = [[t(KIND_WORDS[point.kind])]];
    if (override && (override.day !== undefined || override.time !== undefined))
      lines.push([t(`Moved by a manager; the template has it ${whenWords(effectiveWhen(point, undefined, release.implementation.time))}.`)]);
    let status: Status;
    if (override?.off) {
      status = 'info';
      lines.push([b('Off'), t(`: switched off by a manager; \`/release schedule on ${point.id}\` turns it back on.`)]);
    } else {
      const all = pointOccurrences(release, point);
      const next = all.find((o) => Date.parse(o.dueAt) > now.getTime() && Date.parse(o.dueAt) > scheduleStart(release).getTime());
      const fates = all.map((o) => ({ o, fate: fateOf(release, o, now, next) }));
      const later = fates.filter((f) => f.fate === 'later').length;
      for (const { o, fate } of fates) {
        if (fate === 'later') continue;
        lines.push([t(`${whenText(o.dueAt, zone)}${o.group ? ` (${groupName(release, o.group)})` : ''}: ${FATE_WORDS[fate]}`)]);
      }
      if (later > 0) lines.push([t(`then ${later} more, the last ${whenText(all.at(-1)!.dueAt, zone)}`)]);
      if (all.length === 0) lines.push([t(release.outcome ? 'Nothing: the release is closed.' : 'No review group has a meeting date yet.')]);
      status = next ? 'pending' : fates.some((f) => f.fate === 'late') ? 'stale' : fates.some((f) => f.fate === 'done') ? 'ok' : 'info';
    }
    blocks.push({ type: 'item', status, title, lines });
  }
  blocks.push(note(t('Managers: `/release schedule set <point> <T-n|YYYY-MM-DD> [--time HH:MM]`, `/release schedule off|on <point>`.')));
  return { title: 'Schedule', blocks };
}

function groupName(release: Release, id: string): string {
  return release.groups.find((g) => g.id === id)?.name ?? id;
}
