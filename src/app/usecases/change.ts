import { Release } from '../../domain/release.js';
import type { AuditKey } from '../../domain/audit.js';
import type { AuditEntry } from '../../domain/audit-entry.js';
import { markWorsening } from '../../domain/worsening.js';
import type { NewOutboxMessage } from '../delivery/outbox-message.js';
import { OutboxDraft } from '../delivery/outbox-draft.js';
import type { Store } from '../store-port.js';
import { refreshChecklists } from './checklists.js';
import { Refusal, UserError, type Actor } from '../request.js';
import { refuseIfClosed } from './closed.js';
import { newestRecord, RecordDraft, REFUSED_COMMAND_MAX } from './record-draft.js';

export { newestRecord, REFUSAL_WINDOW_MS, REFUSED_COMMAND_MAX } from './record-draft.js';

export interface ChangeEffect<T> {
  /** What changed, for the audit entry: the part before and after, not the whole release. */
  before: unknown;
  after: unknown;
  /** Messages to send because of this change (what to say, not rendered); saved with it in the same transaction. */
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
  /**
   * Reads the clock again, for a request that waited behind other writes to this release: its
   * `now`, read when it arrived, may then be older than the entry committed just before it.
   * The handler's own `now` must follow (see Ctx), so the change and its entry carry one time.
   */
  refreshNow?: (() => Date) | undefined;
  /** GOLIVE_AUDIT_KEY: entries are sealed with HMAC-SHA256 under it. */
  auditKey?: AuditKey | undefined;
  /** The inbox id of the platform request this change answers. */
  requestId?: string | undefined;
  /** Handled again after a restart: look for the request in the record before applying it. */
  replay?: boolean | undefined;
  /** golive's own upkeep of the record (qualifying its people ids at start): made on a closed release too. */
  evenIfClosed?: boolean | undefined;
}

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
 * Runs one change to one release as a single store transaction: the change itself, its audit
 * entry (sealing the state after it) and its outbox messages land together or not at all. A
 * Refusal thrown by `apply` is recorded in the audit chain (and only that); a UserError changes nothing.
 */
export async function changeRelease<T>(store: Store, releaseId: string, ctx: ChangeContext, apply: (release: Release) => ChangeEffect<T>): Promise<ChangeOutcome<T>> {
  const actor = { id: ctx.actor.id, platform: ctx.actor.platform };
  const request = ctx.requestId !== undefined ? { request: ctx.requestId } : {};
  return store.transact<ChangeOutcome<T>>(releaseId, async (current) => {
    // Only a replay looks back through the chain: on the normal path a request is new by construction.
    const earlier = ctx.replay && ctx.requestId !== undefined ? await store.auditByRequest(releaseId, ctx.requestId) : undefined;
    if (earlier) throw new RecordedBefore(earlier);
    // Checked here, once, so no command, button or form can change a release after its outcome.
    if (!ctx.evenIfClosed) refuseIfClosed(current.release);
    // Entries only go forward in time: a rehearsal clock restarted at an earlier instant, or a
    // system clock stepped back, must not date a change before the record it follows. Repeats
    // still counted beside the chain count too: they are sealed, at their last time, before this change.
    const newest = newestRecord(current);
    let now = ctx.now;
    // Requests that arrived together commit one after another: one that waited is stamped anew.
    if (newest !== undefined && Date.parse(newest) > now.getTime() && ctx.refreshNow) now = ctx.refreshNow();
    const at = now.toISOString();
    if (newest !== undefined && Date.parse(newest) > now.getTime()) {
      throw new UserError(`golive's clock reads ${at}, before the newest record of this release (${newest}); nothing was recorded. Whoever runs golive should check its clock.`);
    }
    const record = new RecordDraft(current, ctx.auditKey);
    // `apply` edits its own copy: `current` stays the state before, for the comparison below and a refusal.
    const draft = structuredClone(current.release);
    try {
      const effect = apply(draft);
      markWorsening(current.release, draft, at);
      // The state is sealed as it will be stored: normalised by its schema, so the hash read back matches.
      const release = Release.parse(draft);
      record.release = release;
      record.flushRefusals();
      const entry = record.seal({ at, actor, command: (effect.command ?? ctx.command).slice(0, 4000), ...request, outcome: 'applied', before: effect.before ?? null, after: effect.after ?? null });
      const outbox = new OutboxDraft(await store.outbox(releaseId));
      for (const message of effect.outbox ?? []) {
        if (outbox.find(message.id)) continue;
        // An announcement shows the record's head as of the change it tells of; a checklist shows the state, not a moment.
        const head = message.kind === 'checklist' ? {} : { record: { seq: entry.seq, hash: entry.hash } };
        outbox.put({ ...message, ...head, status: 'pending', attempts: 0, createdAt: at });
      }
      refreshChecklists(outbox, now);
      return { ...record.commit(), outbox: outbox.changes(), result: { applied: true, result: effect.result, release } };
    } catch (error) {
      // `apply` may have begun editing its copy before it refused or found a repeat: that copy is dropped.
      if (error instanceof AlreadyRecorded) return { result: { applied: true, result: error.result as T, release: current.release, duplicate: true } };
      if (error instanceof Refusal) {
        record.refuse({ at, actor, command: ctx.command.slice(0, REFUSED_COMMAND_MAX), ...request, reason: error.message.slice(0, 2000) });
        return { ...record.commit(), result: { applied: false, refusal: error.message } };
      }
      throw error;
    }
  });
}
