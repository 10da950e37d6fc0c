import type { MovableClock } from '../../src/app/clock.js';
import { isRealDate } from '../../src/domain/primitives.js';

// `/clock <YYYY-MM-DDTHH:MM>`: a rehearsal jumps to the next day that matters instead of waiting for it.

const WHEN = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:\d{2})?$/;

export type ClockMove = { ok: true; line: string } | { ok: false; line: string };

/** Moves the rehearsal clock to `text` (UTC unless it names an offset) and says where it is now. */
export function moveClock(clock: MovableClock | undefined, text: string | undefined): ClockMove {
  if (!clock) return { ok: false, line: 'Not done: /clock works only in a rehearsal: start golive with GOLIVE_CLOCK_START.' };
  const match = WHEN.exec(text ?? '');
  // JavaScript reads 31 Nov as 1 Dec: a date that is not on the calendar is refused, not moved on.
  if (match && !isRealDate(match[1]!)) return { ok: false, line: `Not done: ${match[1]} is not a real calendar date.` };
  const at = match ? new Date(`${match[1]}T${match[2]}${match[3] ?? 'Z'}`) : undefined;
  if (!at || Number.isNaN(at.getTime())) return { ok: false, line: 'Usage: /clock <YYYY-MM-DDTHH:MM> (UTC unless an offset such as +01:00 follows), for example /clock 2019-11-08T10:00' };
  try {
    clock.moveTo(at);
  } catch (error) {
    return { ok: false, line: `Not done: ${(error as Error).message}.` };
  }
  return { ok: true, line: `Clock moved to ${at.toISOString()}.` };
}
