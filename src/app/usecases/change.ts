import { Release } from '../../domain/release.js';
import { sealEntry, stateHashOf, type AuditKey } from '../../domain/audit.js';
import type { AuditEntry, UnsealedAuditEntry } from '../../domain/audit-entry.js';
import { markWorsening } from '../../domain/worsening.js';
import type { ReleaseDocument } from '../document.js';
import type { NewOutboxMessage } from '../delivery/outbox-message.js';
import type { Store } from '../store-port.js';
import { refreshChecklists } from './checklists.js';
import { Refusal, UserError, type Actor } from '../request.js';
import { refuseIfClosed } from './closed.js';

export interface ChangeEffect<T> {
  /** What changed, for the audit entry: the part before and after, not the whole release. */
  before: unknown;
  after: unknown;
  /** Messages to send because of this change (what to say, not rendered); saved with it in the same write. */
  outbox?: NewOutboxMessage[];
  /** The audit entry's words, when only the change itself knows them (what the scheduler sent); else ctx.command. */
  command?: string;
  result: T;
}

export type ChangeOutcome<T> = { applied: true; result: T; release: Release; duplicate?: boolean } | { applied: false; refusal: string };

/**
 * Thrown by a change that finds it has been made already (a double click, a retried request):
 * nothing is recorded again and the person is told it was recorded.
 */
export class AlreadyRecorded<T> extends Error {
  constructor(readonly result: T) {
    super('already recorded');
  }
}

export interface ChangeContext {
  actor: Actor;
  command: string;
  now: Date;
  /** GOLIVE_AUDIT_KEY: entries are sealed with HMAC-SHA256 under it. */
  auditKey?: AuditKey | undefined;
  /** The inbox id of the platform request this change answers. */
  requestId?: string | undefined;
  /** Handled again after a restart: look for the request in the record before applying it. */
  replay?: boolean | undefined;
  /** golive's own upkeep of the record (qualifying its people ids at start): made on a closed release too. */
  evenIfClosed?: boolean | undefined;
}

/** A refused attempt keeps this much of what was typed: enough to see what was tried, not a way to grow the file. */
export const REFUSED_COMMAND_MAX = 300;
/** Refusals of one person within this window of their last one are counted, not stored again. */
export const REFUSAL_WINDOW_MS = 60_000;

/**
 * Thrown when a request handled again after a restart finds its audit entry already in the
 * release: it was applied (or refused) before the crash, and is not made a second time.
 */
export class RecordedBefore extends Error {
  constructor(readonly entry: AuditEntry) {
    super('recorded before the restart');
  }
}

/**
 * Runs one change to one release as a single store write: the change itself, its audit entry
 * (sealing the state after it) and its outbox messages land together or not at all. A Refusal
 * thrown by `apply` is recorded in the audit chain (and only that); a UserError changes nothing.
 */
export async function changeRelease<T>(store: Store, releaseId: string, ctx: ChangeContext, apply: (release: Release) => ChangeEffect<T>): Promise<ChangeOutcome<T>> {
  let outcome: ChangeOutcome<T> | undefined;
  const at = ctx.now.toISOString();
  const actor = { id: ctx.actor.id, platform: ctx.actor.platform };
  const request = ctx.requestId !== undefined ? { request: ctx.requestId } : {};
  const saved = await store.update(releaseId, (doc) => {
    // Only a replay looks back through the chain: on the normal path a request is new by construction.
    const earlier = ctx.replay && ctx.requestId !== undefined ? doc.audit.find((entry) => entry.request === ctx.requestId) : undefined;
    if (earlier) throw new RecordedBefore(earlier);
    // Checked here, once, so no command, button or form can change a release after its outcome.
    if (!ctx.evenIfClosed) refuseIfClosed(doc.release);
    // Entries only go forward in time: a rehearsal clock restarted at an earlier instant, or a
    // system clock stepped back, must not date a change before the record it follows. Repeats
    // still counted beside the chain count too: they are sealed, at their last time, before this change.
    const newest = newestRecord(doc);
    if (newest !== undefined && Date.parse(newest) > ctx.now.getTime()) {
      throw new UserError(`golive's clock reads ${at}, before the newest record of this release (${newest}); nothing was recorded. Whoever runs golive should check its clock.`);
    }
    const seal = (entry: Omit<UnsealedAuditEntry, 'stateHash'>) => {
      const sealed = sealEntry(doc.audit, { ...entry, stateHash: stateHashOf(doc.release) }, ctx.auditKey);
      doc.audit.push(sealed);
      return sealed;
    };
    try {
      const effect = apply(doc.release);
      markWorsening(store.get(releaseId)!.release, doc.release, at);
      // The state is sealed as it will be stored: normalised by its schema, so the hash read back matches.
      doc.release = Release.parse(doc.release);
      flushRefusals(doc, seal);
      const entry = seal({ at, actor, command: (effect.command ?? ctx.command).slice(0, 4000), ...request, outcome: 'applied', before: effect.before ?? null, after: effect.after ?? null });
      for (const message of effect.outbox ?? []) {
        if (doc.outbox.some((m) => m.id === message.id)) continue;
        // An announcement shows the record's head as of the change it tells of; a checklist shows the state, not a moment.
        const record = message.kind === 'checklist' ? {} : { record: { seq: entry.seq, hash: entry.hash } };
        doc.outbox.push({ ...message, ...record, status: 'pending', attempts: 0, createdAt: at });
      }
      refreshChecklists(doc, ctx.now);
      outcome = { applied: true, result: effect.result, release: doc.release };
      return doc;
    } catch (error) {
      // `apply` may have begun editing before it refused or found a repeat: keep the release as
      // it was saved (the store hands out a copy and keeps the saved one until the write is done).
      if (error instanceof AlreadyRecorded || error instanceof Refusal) doc.release = structuredClone(store.get(releaseId)!.release);
      if (error instanceof AlreadyRecorded) {
        outcome = { applied: true, result: error.result as T, release: doc.release, duplicate: true };
        return doc;
      }
      if (error instanceof Refusal) {
        recordRefusal(doc, { at, actor, command: ctx.command.slice(0, REFUSED_COMMAND_MAX), ...request, reason: error.message.slice(0, 2000) }, seal);
        outcome = { applied: false, refusal: error.message };
        return doc;
      }
      throw error;
    }
  });
  if (!outcome) throw new Error('store.update finished without running the change');
  if (outcome.applied) outcome.release = saved.release;
  return outcome;
}

/** The time of the newest thing recorded on a release: its head entry, or repeated refusals not yet sealed after it. */
export function newestRecord(doc: Pick<ReleaseDocument, 'audit' | 'refusals'>): string | undefined {
  const head = doc.audit.at(-1)?.at;
  const counted = doc.refusals?.last;
  if (head === undefined || counted === undefined) return head ?? counted;
  return Date.parse(counted) > Date.parse(head) ? counted : head;
}

type Seal = (entry: Omit<UnsealedAuditEntry, 'stateHash'>) => unknown;
interface RefusedAttempt {
  at: string;
  request?: string;
  actor: { id: string; platform: UnsealedAuditEntry['actor']['platform'] };
  command: string;
  reason: string;
}

/**
 * A refusal gets its own entry, unless the same person's refusal is the newest entry and came
 * within the window: then it is only counted (durably, beside the chain) and sealed as one entry
 * "refused N more times" with the next write, so a flood of refused attempts cannot grow the record.
 */
function recordRefusal(doc: ReleaseDocument, attempt: RefusedAttempt, seal: Seal): void {
  const head = doc.audit.at(-1);
  const sameActor = (a: { id: string; platform: string }) => a.id === attempt.actor.id && a.platform === attempt.actor.platform;
  // Measured from the entry, not the latest repeat, so a steady flood still seals one entry a minute.
  const repeat = head?.outcome === 'refused' && sameActor(head.actor) && Date.parse(attempt.at) - Date.parse(head.at) <= REFUSAL_WINDOW_MS;
  if (repeat) {
    doc.refusals = doc.refusals
      ? { ...doc.refusals, last: attempt.at, count: doc.refusals.count + 1 }
      : { actor: attempt.actor, command: attempt.command, reason: attempt.reason, first: attempt.at, last: attempt.at, count: 1 };
    return;
  }
  flushRefusals(doc, seal);
  seal({ at: attempt.at, actor: attempt.actor, command: attempt.command, ...(attempt.request !== undefined && { request: attempt.request }), outcome: 'refused', reason: attempt.reason });
}

/**
 * Seals repeated refusals still counted beside the chain as their one entry, as the next change
 * would (unkeyed: they belong to the record as it was): whatever else writes an entry, such as adopting
 * the key, must do so first, or its entry would be followed by older ones.
 */
export function sealCountedRefusals(doc: ReleaseDocument): void {
  flushRefusals(doc, (entry) => doc.audit.push(sealEntry(doc.audit, { ...entry, stateHash: stateHashOf(doc.release) })));
}

/** Seals the counted repeats as one entry before anything else is written after them. */
function flushRefusals(doc: ReleaseDocument, seal: Seal): void {
  const tally = doc.refusals;
  if (!tally) return;
  delete doc.refusals;
  const since = tally.first === tally.last ? '' : ` between ${tally.first} and ${tally.last}`;
  seal({
    at: tally.last,
    actor: tally.actor,
    command: tally.command,
    outcome: 'refused',
    reason: `Refused again ${tally.count === 1 ? 'once' : `${tally.count} times`}${since}: ${tally.reason}`.slice(0, 2000),
    ...(tally.count > 1 && { count: tally.count }),
  });
}
