// The checks an implementation date and time must pass before `create` or `date` sets them,
// shared so both commands refuse the same days with the same words.

import { localTimeGap, nonWorkingReason, zonedInstant } from '../../domain/calendar.js';
import type { Implementation } from '../../domain/release.js';
import { day, implementationText, when } from '../../views/format.js';
import { UserError } from '../request.js';

export const ALLOW_NON_WORKING_DAY = '--allow-non-working-day';

export interface DateCheck {
  implementation: Implementation;
  /** The release's holiday list (the template's, copied onto the release). */
  holidays: readonly string[];
  /** Names the calendar in messages: the template the holidays came from. */
  calendar: string;
  now: Date;
  allowNonWorkingDay: boolean;
}

/**
 * Throws a UserError when the implementation cannot be set as asked: a local time the clocks skip,
 * an instant that has passed, or (without the override) a weekend or holiday. Returns what the
 * override let through, for the audit entry.
 */
export function checkImplementation(check: DateCheck): { nonWorkingDay?: string } {
  const { date, time, zone } = check.implementation;
  const gap = localTimeGap(date, time, zone);
  if (gap) {
    throw new UserError(`${time} on ${day(date)} does not exist in ${zone}: the clocks go forward from ${gap.from} to ${gap.to} that night. Choose another time.`);
  }
  const at = zonedInstant(date, time, zone);
  if (at.getTime() <= check.now.getTime()) {
    throw new UserError(`${implementationText(check.implementation)} is in the past: it is now ${when(check.now, zone)}. Choose a later date or time.`);
  }
  const why = nonWorkingReason(date, check.holidays);
  if (!why) return {};
  const reason = why.kind === 'weekend' ? `${day(date)} is a ${why.weekday}` : `${day(date)} is a holiday in this release's calendar (${check.calendar})`;
  if (check.allowNonWorkingDay) return { nonWorkingDay: reason };
  throw new UserError(`${reason}, not a working day. Choose a working day, or add ${ALLOW_NON_WORKING_DAY} to go live on it anyway.`);
}
