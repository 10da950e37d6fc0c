import type { Command } from '../language/commands.js';
import type { Release } from '../../domain/release.js';
import type { ScheduleOverride, SchedulePoint } from '../../domain/schedule-plan.js';
import { parseWhen } from '../../domain/schedule-plan.js';
import { effectiveWhen, planOf, pointOccurrences } from '../../domain/schedule.js';
import { nonWorkingReason } from '../../domain/calendar.js';
import { requireManager } from './authz.js';
import { UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { outcomeReply, reply } from './result.js';
import { doneView } from '../../views/messages.js';
import { t } from '../../views/elements.js';
import { day, when } from '../../views/format.js';
import { scheduleView, whenWords } from '../../views/schedule.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

export async function handleSchedule(ctx: Ctx): Promise<Reply[]> {
  const { release } = await ctx.stored();
  return [reply(scheduleView(release, ctx.now))];
}

function findPoint(release: Release, id: string): SchedulePoint {
  const plan = planOf(release);
  const point = plan.find((p) => p.id === id);
  if (point) return point;
  if (plan.length === 0) throw new UserError(`${release.name} has no schedule: it was created before templates had one.`);
  throw new UserError(`${release.name} has no schedule point "${id}". Its points are: ${plan.map((p) => p.id).join(', ')}.`);
}

const withOverride = (release: Release, override: ScheduleOverride | undefined, point: string): ScheduleOverride[] => {
  const others = (release.scheduleOverrides ?? []).filter((o) => o.point !== point);
  return override ? [...others, override] : others;
};

/**
 * Moves one point. A fixed day must be a working day (no override, unlike the implementation
 * date: nobody is reminded on a weekend or a holiday) and the point must still happen after now.
 */
export async function handleScheduleSet(ctx: Ctx, cmd: Of<'schedule-set'>): Promise<Reply[]> {
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'change the schedule');
    const point = findPoint(release, cmd.point);
    const base = parseWhen(point.when)!;
    const zone = release.implementation.zone;
    if (base.anchor === 'created') throw new UserError(`${point.id} happens when the release is created; it cannot be moved.`);
    const range = cmd.day.includes('..');
    if (base.anchor === 'daily' && !range)
      throw new UserError(`${point.id} happens every working day from T-${base.from} to T-${base.to}: give a range like T-${base.from}..T-${base.to}, or switch it off.`);
    if (base.anchor !== 'daily' && range) throw new UserError(`${point.id} happens once${base.anchor === 'meeting' ? ' per review group' : ''}: give one day (T-n or YYYY-MM-DD), not a range.`);
    if (/^\d{4}-/.test(cmd.day)) {
      const why = nonWorkingReason(cmd.day, release.holidays);
      if (why) {
        const reason = why.kind === 'weekend' ? `${day(cmd.day)} is a ${why.weekday}` : `${day(cmd.day)} is a holiday in this release's calendar (${release.template})`;
        throw new UserError(`${reason}, not a working day: golive reminds and announces only on working days. Choose a working day.`);
      }
    }
    const before = release.scheduleOverrides?.find((o) => o.point === point.id);
    const next: ScheduleOverride = { point: point.id, ...(before?.off && { off: true }), day: cmd.day, ...(cmd.time !== undefined && { time: cmd.time }) };
    const planned = effectiveWhen(point, next, release.implementation.time);
    // Where it would land if on, so a point kept off is still checked against the past.
    const times = pointOccurrences({ ...release, scheduleOverrides: withOverride(release, { ...next, off: false }, point.id) }, point);
    if (times.length > 0 && times.every((o) => Date.parse(o.dueAt) <= ctx.now.getTime())) {
      throw new UserError(`${point.id} at ${whenWords(planned)} would be ${when(times.at(-1)!.dueAt, zone)}, in the past: it is now ${when(ctx.now, zone)}. Choose a later day or time.`);
    }
    release.scheduleOverrides = withOverride(release, next, point.id);
    return {
      before: { point: point.id, override: before ?? null },
      after: { point: point.id, override: next },
      result: { point: point.id, planned: whenWords(planned), first: times.find((o) => Date.parse(o.dueAt) > ctx.now.getTime()), off: next.off === true, zone },
    };
  });
  return outcomeReply(outcome, (r) => {
    const first = r.first ? `; next ${when(r.first.dueAt, r.zone)}` : '';
    const off = r.off ? ` It is still off: \`/release schedule on ${r.point}\` turns it back on.` : '';
    return doneView('Schedule changed', t(`${r.point} now happens ${r.planned}${first}.${off}`));
  });
}

export async function handleScheduleSwitch(ctx: Ctx, cmd: Of<'schedule-off'> | Of<'schedule-on'>): Promise<Reply[]> {
  const off = cmd.name === 'schedule-off';
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'change the schedule');
    const point = findPoint(release, cmd.point);
    const before = release.scheduleOverrides?.find((o) => o.point === point.id);
    if ((before?.off === true) === off) throw new UserError(`${point.id} is already ${off ? 'off' : 'on'}.`);
    const { off: _was, ...rest } = before ?? { point: point.id };
    const next: ScheduleOverride = off ? { ...rest, off: true } : rest;
    const keep = next.off || next.day !== undefined || next.time !== undefined;
    release.scheduleOverrides = withOverride(release, keep ? next : undefined, point.id);
    return { before: { point: point.id, override: before ?? null }, after: { point: point.id, override: keep ? next : null }, result: point.id };
  });
  return outcomeReply(outcome, (id) => doneView('Schedule changed', t(off ? `${id} is off: golive will not act on it.` : `${id} is on again.`)));
}
