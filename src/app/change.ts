import type { Release } from '../domain/release.js';
import type { AuditEntry } from '../domain/audit-entry.js';
import { sealEntry } from '../domain/audit.js';
import type { OutboxMessage } from './document.js';
import type { Store } from './store-port.js';
import { refreshChecklists } from './checklists.js';
import { Refusal, type Actor } from './request.js';

export interface ChangeEffect<T> {
  /** What changed, for the audit entry: the part before and after, not the whole release. */
  before: unknown;
  after: unknown;
  /** Messages to send because of this change; saved with it in the same write. */
  outbox?: Array<Omit<OutboxMessage, 'status' | 'attempts' | 'createdAt'>>;
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
 * Runs one change to one release as a single store write: the change itself, its audit entry and
 * its outbox messages land together or not at all. A Refusal thrown by `apply` is recorded in the
 * audit chain (and only that); a UserError changes nothing at all.
 */
export async function changeRelease<T>(
  store: Store,
  releaseId: string,
  ctx: { actor: Actor; command: string; now: Date; requestId?: string | undefined; replay?: boolean | undefined },
  apply: (release: Release) => ChangeEffect<T>,
): Promise<ChangeOutcome<T>> {
  let outcome: ChangeOutcome<T> | undefined;
  const at = ctx.now.toISOString();
  const base = { at, actor: { id: ctx.actor.id, platform: ctx.actor.platform }, command: ctx.command.slice(0, 4000), ...(ctx.requestId !== undefined && { request: ctx.requestId }) };
  const saved = await store.update(releaseId, (doc) => {
    // Only a replay looks back through the chain: on the normal path a request is new by construction.
    const earlier = ctx.replay && ctx.requestId !== undefined ? doc.audit.find((entry) => entry.request === ctx.requestId) : undefined;
    if (earlier) throw new RecordedBefore(earlier);
    try {
      const effect = apply(doc.release);
      doc.audit.push(sealEntry(doc.audit, { ...base, outcome: 'applied', before: effect.before ?? null, after: effect.after ?? null }));
      for (const message of effect.outbox ?? []) {
        if (doc.outbox.some((m) => m.id === message.id)) continue;
        doc.outbox.push({ ...message, status: 'pending', attempts: 0, createdAt: at });
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
        doc.audit.push(sealEntry(doc.audit, { ...base, outcome: 'refused', reason: error.message.slice(0, 2000) }));
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
