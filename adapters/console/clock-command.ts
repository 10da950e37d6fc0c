import type { MovableClock } from '../../src/app/clock.js';
import { isRealDate } from '../../src/domain/primitives.js';

// `/clock <YYYY-MM-DDTHH:MM>`: a rehearsal jumps to the next day that matters instead of waiting for it.

const WHEN = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:\d{2})?$/;

export type ClockMove = { ok: true; line: string; at: Date } | { ok: false; line: string };

/** What falls due on the way: the earliest due instant at or before a target, and running it. */
export interface DueOnTheWay {
  dueBefore(target: Date): Promise<Date | undefined>;
  run(at: Date): Promise<void>;
}

/**
 * Moves the clock to the target in steps: to each instant something falls due on the way, running
 * it there, so a rehearsed schedule happens in order and on time (nothing marked late), then to the target.
 */
export async function stepClock(clock: MovableClock, at: Date, due: DueOnTheWay): Promise<void> {
  let last = -Infinity;
  for (let next = await due.dueBefore(at); next !== undefined; next = await due.dueBefore(at)) {
    const step = Math.max(next.getTime(), clock.now().getTime());
    // A point that does not move on after running would loop for ever: leave it to the next tick.
    if (step <= last) break;
    last = step;
    moveOn(clock, new Date(step));
    await due.run(new Date(step));
  }
  // A point due exactly at the target has run there already: once is enough.
  if (last >= at.getTime()) return;
  moveOn(clock, at);
  await due.run(at);
}

/**
 * Moves the clock on to `at`, or leaves it where it is when it already reads `at` or later: the
 * clock runs on while what fell due is sent, so after a point at (or just before) the target it
 * may be past it, and is then where it would be had it been moved there first.
 */
function moveOn(clock: MovableClock, at: Date): void {
  if (clock.now().getTime() >= at.getTime()) return;
  try {
    clock.moveTo(at);
  } catch (error) {
    // It passed `at` between the reading above and the move: that is still on, not back.
    if (!(error instanceof RangeError) || clock.now().getTime() < at.getTime()) throw error;
  }
}

/** Checks `text` (UTC unless it names an offset) as a new reading of the rehearsal clock; moves nothing. */
export function readClockMove(clock: MovableClock | undefined, text: string | undefined): ClockMove {
  if (!clock) return { ok: false, line: 'Not done: /clock works only in a rehearsal: start golive with GOLIVE_CLOCK_START.' };
  const match = WHEN.exec(text ?? '');
  // JavaScript reads 31 Nov as 1 Dec: a date that is not on the calendar is refused, not moved on.
  if (match && !isRealDate(match[1]!)) return { ok: false, line: `Not done: ${match[1]} is not a real calendar date.` };
  const at = match ? new Date(`${match[1]}T${match[2]}${match[3] ?? 'Z'}`) : undefined;
  if (!at || Number.isNaN(at.getTime())) return { ok: false, line: 'Usage: /clock <YYYY-MM-DDTHH:MM> (UTC unless an offset such as +01:00 follows), for example /clock 2019-11-08T10:00' };
  if (at.getTime() < clock.now().getTime()) return { ok: false, line: `Not done: the clock only moves forward: it reads ${clock.now().toISOString()}.` };
  return { ok: true, line: `Clock moved to ${at.toISOString()}.`, at };
}
