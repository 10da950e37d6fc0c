import type { AuditKey } from '../../domain/audit.js';
import type { Release } from '../../domain/release.js';
import { isClosed } from '../../domain/outcome.js';
import { allOccurrences, nextDue, occurrences, scheduleStart, type Occurrence } from '../../domain/schedule.js';
import { catchUp, type DueOccurrence } from '../../domain/schedule-catch-up.js';
import { audienceOf, stillWanted } from '../../domain/schedule-audience.js';
import { when } from '../../views/format.js';
import { AlreadyRecorded, changeRelease } from '../usecases/change.js';
import { personOf, type NewOutboxMessage, type Recipient } from './outbox-message.js';
import { RELEASES_PER_READ, type ReleaseHead, type Store } from '../store-port.js';
import { unchangedSince } from '../release-reader.js';
import { GOLIVE_ACTOR } from '../request.js';
import { nextTurn } from '../../next-turn.js';

// golive acting on each release's schedule: what fell due since the release's watermark
// (`scheduledThrough`) is written to the outbox, and the watermark moved, in one sealed change
// per release per tick. The watermark is release state, so only a sealed write may move it.

/** A sent occurrence counts as late once its due minute has passed. */
const LATE_AFTER_MS = 60_000;

export interface TickReport {
  /** Releases that acted (one sealed change each). */
  acted: string[];
  /** Outbox messages written. */
  messages: number;
}

export interface SchedulerOptions {
  auditKey?: AuditKey | undefined;
  log?: (message: string) => void;
}

/**
 * The watermark a release's schedule runs from. A date moved earlier can put a point before the
 * watermark (the go/no-go of a release brought forward by a week): for each date change recorded
 * after the watermark, points of the plan as it is now that lie at or before the watermark and
 * were not in the plan as it stood then (the date the first such change moved from) are due as
 * well, sent late or dropped by catch-up's rules. Points that kept their time are never repeated.
 */
export function movedBehind(release: Release, watermark: Date): Occurrence[] {
  const changes = release.dateChanges.filter((c) => Date.parse(c.at) > watermark.getTime());
  if (changes.length === 0) return [];
  const before: Release = { ...release, implementation: { ...release.implementation, ...changes[0]!.from } };
  const was = new Set(allOccurrences(before).map((o) => o.key));
  return occurrences(release, scheduleStart(release), watermark).filter((o) => !was.has(o.key));
}

export function watermarkOf(release: Release): Date {
  return release.scheduledThrough ? new Date(release.scheduledThrough) : scheduleStart(release);
}

/** Everything due for the release up to `now`, before catch-up's rules. */
export function dueOccurrences(release: Release, now: Date): Occurrence[] {
  const watermark = watermarkOf(release);
  return [...movedBehind(release, watermark), ...occurrences(release, watermark, now)];
}

/** When the release next has something due: now when a date move put points behind its watermark. */
function nextDueAt(release: Release): number {
  if (isClosed(release)) return Infinity;
  const watermark = watermarkOf(release);
  if (movedBehind(release, watermark).length > 0) return watermark.getTime();
  const next = nextDue(release, watermark);
  return next ? Date.parse(next.dueAt) : Infinity;
}

// A person's id carries their platform already: `slack:U123`, as a channel's key does.
const recipientKey = (to: Recipient) => ('channel' in to ? `${to.channel.platform}:${to.channel.id}` : to.person.id);

/** The outbox messages of one occurrence, each with its deterministic id `sched:<occurrence key>:<recipient>`. */
export function messagesOf(release: Release, o: DueOccurrence, now: Date): NewOutboxMessage[] {
  const audience = audienceOf(release, o, now);
  const late = Date.parse(o.dueAt) + LATE_AFTER_MS <= now.getTime();
  const params = { occurrence: o.key, point: o.point, ...(o.group !== undefined && { group: o.group }) };
  const common = { dueAt: o.dueAt, ...(late && { late: true }) };
  const out: NewOutboxMessage[] = [];
  for (const channel of audience.channels) {
    const to = { channel };
    const id = `sched:${o.key}:${recipientKey(to)}`;
    if (o.kind === 'kickoff') out.push({ id, kind: 'checklist', to, params: {}, ...common });
    else if (o.kind === 'evidence-deadline' || o.kind === 'go-no-go' || o.kind === 'go-live') out.push({ id, kind: o.kind, to, params, ...common });
  }
  for (const dm of audience.direct) {
    // Each person is told on their own platform; an id without one (never written since ids were qualified) reaches nobody.
    const person = personOf(dm.person);
    if (person === undefined) continue;
    const to = { person };
    const id = `sched:${o.key}:${recipientKey(to)}`;
    if (o.kind === 'kickoff' || o.kind === 'reminder' || o.kind === 'evidence-reminder' || o.kind === 'escalation' || o.kind === 'outcome-ask') out.push({ id, kind: o.kind, to, params, ...common });
  }
  return out;
}

/** The audit entry's words: what golive did at this tick. */
function summary(release: Release, sent: ReadonlyArray<{ o: DueOccurrence; messages: NewOutboxMessage[] }>, dropped: ReadonlyArray<{ occurrence: Occurrence; why: string }>): string {
  const zone = release.implementation.zone;
  const count = (ms: NewOutboxMessage[]) => {
    const channels = ms.filter((m) => 'channel' in m.to).length;
    const persons = ms.length - channels;
    const parts = [channels > 0 ? `${channels} channel${channels === 1 ? '' : 's'}` : '', persons > 0 ? `${persons} ${persons === 1 ? 'person' : 'people'}` : ''].filter(Boolean);
    return parts.length > 0 ? parts.join(' and ') : 'nobody';
  };
  const parts = sent.map(
    ({ o, messages }) => `${o.kind} ${o.point}${o.group ? ` (${o.group})` : ''} due ${when(o.dueAt, zone)} sent to ${count(messages)}${messages.some((m) => m.late) ? ' (late)' : ''}`,
  );
  if (dropped.length > 0)
    parts.push(`dropped: ${dropped.map((d) => `${d.occurrence.point}${d.occurrence.group ? ` (${d.occurrence.group})` : ''} due ${when(d.occurrence.dueAt, zone)} (${d.why})`).join(', ')}`);
  return `(schedule) ${parts.join('; ')}`;
}

/**
 * Acts on every open, unquarantined release's schedule. The next due instant of each release is
 * kept in memory and recomputed only when its record has an entry after the one it was computed
 * at, so a tick where nothing is due reads no release and writes nothing. Several schedulers on
 * one database (replicas) act on each due point once: each release's change is one transaction
 * that reads the watermark it moves, and one that finds nothing due there writes nothing.
 */
/** Releases looked at between two chances for requests to be answered. */
const YIELD_EVERY = 25;

export class Scheduler {
  private readonly next = new Map<string, { seq: number; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly options: SchedulerOptions = {},
  ) {}

  // Whether the release is quarantined is asked only of one with something due (see tick): on
  // the JSON store the verdict reads the release's whole log, which a tick over releases with
  // nothing due should not.
  private async nextOf(id: string, head?: ReleaseHead): Promise<number> {
    // Every change to a release seals an entry: none after the one the instant was computed at
    // means it still holds, and the release itself is not read. The store's heads, read once for
    // a pass, say so for every release at once; without them, the release's log is asked.
    const known = this.next.get(id);
    if (known && (head ? head.seq === known.seq : await unchangedSince(this.store, id, known.seq))) return known.at;
    // Only looked at: shared where the store can, not copied.
    const stored = this.store.sharedMany ? (await this.store.sharedMany([id]))[0] : await this.store.get(id);
    if (!stored) return Infinity;
    const at = nextDueAt(stored.release);
    this.next.set(id, { seq: stored.head?.seq ?? 0, at });
    return at;
  }

  /**
   * Works out again the next due instant of every release whose head moved since it was last
   * worked out (all of them at the first pass), reading them a page at a time where the store can.
   * Without heads, nextOf asks release by release.
   */
  private async readMoved(releases: ReadonlyArray<{ id: string }>, heads: ReadonlyMap<string, ReleaseHead> | undefined): Promise<void> {
    if (!heads || !this.store.sharedMany) return;
    const moved = releases.map(({ id }) => id).filter((id) => heads.has(id) && this.next.get(id)?.seq !== heads.get(id)!.seq);
    let looked = 0;
    for (let at = 0; at < moved.length; at += RELEASES_PER_READ) {
      const page = moved.slice(at, at + RELEASES_PER_READ);
      const read = await this.store.sharedMany(page);
      for (const [i, stored] of read.entries()) {
        if (++looked % YIELD_EVERY === 0) await nextTurn();
        if (stored) this.next.set(page[i]!, { seq: stored.head?.seq ?? 0, at: nextDueAt(stored.release) });
      }
    }
  }

  /** The earliest instant anything is due across releases, for a rehearsal clock stepping through them. */
  async nextDueOverall(): Promise<Date | undefined> {
    let earliest = Infinity;
    const heads = await this.store.heads?.();
    const releases = await this.store.list();
    await this.readMoved(releases, heads);
    for (const { id } of releases) {
      const head = heads?.get(id);
      const at = await this.nextOf(id, head);
      if (at < earliest && !(head?.quarantined ?? (await this.store.quarantine(id)))) earliest = at;
    }
    return Number.isFinite(earliest) ? new Date(earliest) : undefined;
  }

  /** The earliest due instant at or before `target`, if any. */
  async dueBefore(target: Date): Promise<Date | undefined> {
    const next = await this.nextDueOverall();
    return next && next.getTime() <= target.getTime() ? next : undefined;
  }

  async tick(now: Date): Promise<TickReport> {
    const report: TickReport = { acted: [], messages: 0 };
    let looked = 0;
    const heads = await this.store.heads?.();
    const releases = await this.store.list();
    await this.readMoved(releases, heads);
    for (const { id } of releases) {
      // A store answering from memory resolves without ever letting a request in: working out the
      // first tick's due instants of a thousand releases held the event loop a quarter of a
      // second after start. Requests (and /healthz) are let in between every few releases.
      if (++looked % YIELD_EVERY === 0) await nextTurn();
      const head = heads?.get(id);
      if ((await this.nextOf(id, head)) > now.getTime() || (head?.quarantined ?? (await this.store.quarantine(id)))) continue;
      try {
        const written = await this.act(id, now);
        if (written !== undefined) {
          report.acted.push(id);
          report.messages += written;
        }
      } catch (error) {
        // One release's failure (its clock check, a full disk) must not stop the others' schedules.
        this.options.log?.(`schedule of ${id} not run: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.next.delete(id);
    }
    return report;
  }

  /** One sealed change: the messages of what is due, and the watermark moved to `now`. */
  private async act(id: string, now: Date): Promise<number | undefined> {
    const stored = await this.store.get(id);
    if (!stored || isClosed(stored.release)) return undefined;
    let written = 0;
    const outcome = await changeRelease(this.store, id, { actor: GOLIVE_ACTOR, command: '(schedule)', now, auditKey: this.options.auditKey }, (release) => {
      const due = dueOccurrences(release, now);
      const { send, dropped } = catchUp(due, now, (o) => stillWanted(release, o, now));
      // Nothing is due on the latest state: another golive on the database acted on it first (its
      // change committed while this one waited). Nothing is written, not even an empty entry.
      if (send.length === 0 && dropped.length === 0) throw new AlreadyRecorded(undefined);
      // One direct message per person and kind in a tick: the evidence reminders of two groups
      // meeting the same day list the same person's criteria, so they are said once.
      const told = new Set<string>();
      const sent = send.map((o) => ({
        o,
        messages: messagesOf(release, o, now).filter((m) => {
          if ('channel' in m.to) return true;
          const key = `${m.kind}:${recipientKey(m.to)}`;
          if (told.has(key)) return false;
          told.add(key);
          return true;
        }),
      }));
      const outbox = sent.flatMap((s) => s.messages);
      written = outbox.length;
      const before = { scheduledThrough: release.scheduledThrough ?? null };
      release.scheduledThrough = now.toISOString();
      return {
        before,
        after: {
          scheduledThrough: release.scheduledThrough,
          sent: sent.map(({ o, messages }) => ({ occurrence: o.key, late: Date.parse(o.dueAt) + LATE_AFTER_MS <= now.getTime(), to: messages.map((m) => recipientKey(m.to)) })),
          dropped: dropped.map((d) => ({ occurrence: d.occurrence.key, why: d.why })),
        },
        outbox,
        command: summary(release, sent, dropped),
        result: undefined,
      };
    });
    return outcome.applied && !outcome.duplicate ? written : undefined;
  }
}
