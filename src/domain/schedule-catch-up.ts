import { REMINDER_KINDS } from './schedule-plan.js';
import type { Occurrence } from './schedule.js';

// What to send once after golive was down, from everything that fell due meanwhile.

export interface DueOccurrence extends Occurrence {
  /** Due before `now`: say so when sending (it should have gone out at `dueAt`). */
  late: boolean;
  /** Keys of older reminders of the same kind folded into this one; they are not sent. */
  replaces: string[];
}

export type DropReason = 'expired' | 'answered' | 'collapsed';

export interface CatchUp {
  /** To send now, oldest first. */
  send: DueOccurrence[];
  /** Not to send, and why; the scheduler moves past them all the same. */
  dropped: Array<{ occurrence: Occurrence; why: DropReason }>;
}

/**
 * Rules, applied to the occurrences due while golive was down (anything due up to `now`):
 * 1. An occurrence past its `expiresAt` is dropped ('expired'): an evidence deadline or its reminder
 *    once the group's meeting has started, a reminder once the release's implementation instant
 *    has come.
 * 2. A reminder whose subject is answered by now is dropped ('answered'): `stillWanted` says,
 *    from the release as it is now, whether it would still tell anyone anything (the audience
 *    functions in schedule-audience.ts answer that).
 * 3. Of several reminders of one kind (and one group, for per-group reminders) the newest is kept
 *    and the older ones are dropped ('collapsed'): one reminder saying what is outstanding now
 *    serves better than three saying it was outstanding then.
 * 4. Everything else (kickoff, deadlines, escalation, go/no-go, go-live, the outcome question) is
 *    kept, each once, and marked late when due before `now`. Whether an announcement still has
 *    something to say (the outcome question once the release is closed) is `stillWanted`'s call too.
 * The result is in time order, so announcements go out in the order they were due.
 */
export function catchUp(due: readonly Occurrence[], now: Date, stillWanted: (o: Occurrence) => boolean = () => true): CatchUp {
  const at = now.getTime();
  const dropped: CatchUp['dropped'] = [];
  const live: Occurrence[] = [];
  for (const o of [...due].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))) {
    if (Date.parse(o.dueAt) > at) continue;
    if (o.expiresAt !== undefined && Date.parse(o.expiresAt) <= at) dropped.push({ occurrence: o, why: 'expired' });
    else if (!stillWanted(o)) dropped.push({ occurrence: o, why: 'answered' });
    else live.push(o);
  }
  const newest = new Map<string, Occurrence>();
  const series = (o: Occurrence) => `${o.release}:${o.kind}:${o.group ?? ''}`;
  for (const o of live) if (REMINDER_KINDS.has(o.kind)) newest.set(series(o), o);
  const send: DueOccurrence[] = [];
  for (const o of live) {
    const keep = REMINDER_KINDS.has(o.kind) ? newest.get(series(o)) : o;
    if (keep !== o) {
      dropped.push({ occurrence: o, why: 'collapsed' });
      continue;
    }
    const replaces = REMINDER_KINDS.has(o.kind) ? live.filter((x) => x !== o && series(x) === series(o)).map((x) => x.key) : [];
    send.push({ ...o, late: Date.parse(o.dueAt) < at, replaces });
  }
  return { send, dropped };
}
