import type { Release } from '../domain/release.js';
import { sealEntry } from '../domain/audit.js';
import { markWorsening } from '../domain/worsening.js';
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
 * Runs one change to one release as a single store write: the change itself, its audit entry and
 * its outbox messages land together or not at all. A Refusal thrown by `apply` is recorded in the
 * audit chain (and only that); a UserError changes nothing at all.
 */
export async function changeRelease<T>(
  store: Store,
  releaseId: string,
  ctx: { actor: Actor; command: string; now: Date },
  apply: (release: Release) => ChangeEffect<T>,
): Promise<ChangeOutcome<T>> {
  let outcome: ChangeOutcome<T> | undefined;
  const at = ctx.now.toISOString();
  const base = { at, actor: { id: ctx.actor.id, platform: ctx.actor.platform }, command: ctx.command.slice(0, 4000) };
  const saved = await store.update(releaseId, (doc) => {
    try {
      const effect = apply(doc.release);
      markWorsening(store.get(releaseId)!.release, doc.release, at);
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
