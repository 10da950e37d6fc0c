import { z } from 'zod';
import { ClockTime, Slug, isRealDate } from './primitives.js';

// A release's schedule: the points at which golive acts on its own. The plan is relative (working
// days before the implementation date, or before a review group's meeting), so moving the date
// moves every point; a template holds it and each release keeps the copy it was created with.

export const SCHEDULE_KINDS = ['kickoff', 'reminder', 'evidence-deadline', 'evidence-reminder', 'escalation', 'go-no-go', 'go-live', 'outcome-ask'] as const;
export const ScheduleKind = z.enum(SCHEDULE_KINDS);
export type ScheduleKind = z.infer<typeof ScheduleKind>;

/** Kinds that nag people about what they still owe; the rest announce or ask once. */
export const REMINDER_KINDS: ReadonlySet<ScheduleKind> = new Set(['reminder', 'evidence-reminder']);

/**
 * When a point happens, parsed from its written form:
 * - `created`: the moment the release is created;
 * - `implementation`: the implementation instant itself;
 * - `T-n HH:MM` (`T+n` after, `T-0` the day): n working days before the implementation date;
 * - `T-a..T-b HH:MM`: every working day from T-a to T-b;
 * - `meeting-n HH:MM`: n working days before each review group's meeting (one occurrence per group with a meeting date);
 * - `YYYY-MM-DD HH:MM`: a fixed day (only from a manager's override).
 */
export type When =
  | { anchor: 'created' }
  | { anchor: 'implementation' }
  | { anchor: 'day'; before: number; time: string }
  | { anchor: 'daily'; from: number; to: number; time: string }
  | { anchor: 'meeting'; before: number; time: string }
  | { anchor: 'date'; date: string; time: string };

const TIME = '([01]\\d|2[0-3]):[0-5]\\d';
const OFFSET = /^T(?:([-+])(\d{1,3}))?$/i;
const RANGE = /^T-(\d{1,3})\.\.T-(\d{1,3})$/i;
const MEETING = /^meeting-(\d{1,2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `T-3` → 3, `T+1` → -1, `T` or `T-0` → 0; undefined when not an offset. */
export function parseOffset(text: string): number | undefined {
  const m = OFFSET.exec(text);
  if (!m) return undefined;
  const n = Number(m[2] ?? 0);
  return m[1] === '+' ? -n : n;
}

/** The day part of a point or an override: `T-n`, `T-a..T-b`, `meeting-n` or `YYYY-MM-DD`. */
export function parseDay(text: string, time: string): When | undefined {
  const before = parseOffset(text);
  if (before !== undefined) return { anchor: 'day', before, time };
  const range = RANGE.exec(text);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    return from >= to ? { anchor: 'daily', from, to, time } : undefined;
  }
  const meeting = MEETING.exec(text);
  if (meeting) return { anchor: 'meeting', before: Number(meeting[1]), time };
  if (DATE.test(text) && isRealDate(text)) return { anchor: 'date', date: text, time };
  return undefined;
}

export function parseWhen(text: string): When | undefined {
  const trimmed = text.trim();
  if (trimmed === 'created') return { anchor: 'created' };
  if (trimmed === 'implementation') return { anchor: 'implementation' };
  const m = new RegExp(`^(\\S+)\\s+(${TIME})$`).exec(trimmed);
  if (!m) return undefined;
  return parseDay(m[1]!, m[2]!);
}

const WHEN_HELP = 'write created, implementation, "T-n HH:MM", "T+n HH:MM", "T-a..T-b HH:MM" (a >= b) or "meeting-n HH:MM"';

export const WhenText = z
  .string()
  .max(40)
  .refine((text) => {
    const when = parseWhen(text);
    return when !== undefined && when.anchor !== 'date';
  }, `is not a schedule time: ${WHEN_HELP}`);

export const SchedulePoint = z
  .object({
    id: Slug,
    kind: ScheduleKind,
    when: WhenText,
  })
  .strict();
export type SchedulePoint = z.infer<typeof SchedulePoint>;

export const SchedulePlan = z
  .array(SchedulePoint)
  .max(50)
  .superRefine((points, ctx) => {
    const seen = new Set<string>();
    points.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', message: `duplicate schedule point "${p.id}"`, path: [i, 'id'] });
      seen.add(p.id);
      const when = parseWhen(p.when);
      if (p.kind === 'evidence-deadline' || p.kind === 'evidence-reminder') {
        if (when?.anchor !== 'meeting') ctx.addIssue({ code: 'custom', message: `a ${p.kind} is timed from each group's meeting: write "meeting-n HH:MM"`, path: [i, 'when'] });
      } else if (when?.anchor === 'meeting') {
        ctx.addIssue({ code: 'custom', message: `only evidence deadlines and their reminders are timed from a meeting`, path: [i, 'when'] });
      }
    });
  });
export type SchedulePlan = z.infer<typeof SchedulePlan>;

/**
 * A manager's change to one point: switched off, or moved (`day`: `T-n`, `T-a..T-b` for an
 * every-day point, `YYYY-MM-DD`; `time` replaces the point's time). For a per-group point `T-n`
 * counts back from each group's meeting, as the point itself does.
 */
export const ScheduleOverride = z
  .object({
    point: Slug,
    off: z.boolean().optional(),
    day: z
      .string()
      .max(20)
      .refine((d) => parseDay(d, '00:00') !== undefined && !MEETING.test(d), 'must be T-n, T+n, T-a..T-b or YYYY-MM-DD')
      .optional(),
    time: ClockTime.optional(),
  })
  .strict();
export type ScheduleOverride = z.infer<typeof ScheduleOverride>;
