import type { Platform } from '../../domain/primitives.js';
import type { View } from '../../views/elements.js';
import { RetryLater, type ChatPort } from './chat-port.js';
import type { OutboxMessage, ReleaseDocument } from '../document.js';
import type { Store } from '../store-port.js';
import type { Clock } from '../clock.js';
import { recipientPlatform } from './outbox-message.js';
import { renderMessage } from './render-message.js';
import { ensureChecklistUpdate } from '../usecases/checklists.js';

export type ChatPorts = Partial<Record<Platform, ChatPort>>;

/**
 * Tries before a message is dead-lettered (status `dead`) and shown to the managers in `status`.
 * With the backoff below, 14 tries span about 70 minutes: a platform down for an hour still gets
 * what golive said on its own (the go/no-go announcement) once it is back.
 */
export const MAX_ATTEMPTS = 14;
/**
 * Messages of one release delivered before their outcomes are written, in one write: a crash in
 * between sends at most this many again, and a burst of messages costs one write, not one each.
 */
export const DELIVERY_BATCH = 25;

/** Retry after 2, 4, 8 … seconds, capped at ten minutes. */
export function backoff(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** attempts);
}

const isDue = (m: OutboxMessage, now: Date) => m.status === 'pending' && (m.nextAttemptAt === undefined || Date.parse(m.nextAttemptAt) <= now.getTime());

type Patch = Partial<Pick<OutboxMessage, 'status' | 'attempts' | 'nextAttemptAt' | 'sentAt' | 'lastError' | 'messageRef'>>;
interface Outcome {
  patch: Patch;
  /** What a delivered message said: a checklist that changed since is edited again. */
  shown?: View;
}

/**
 * Sends every pending message that is due, rendered from each release as it is now. The outcomes
 * of a release's batch (sent with the platform's id for it, retry at, dead) are recorded in one
 * durable write after it; an edit waits until the message it edits has been sent. Call it
 * through an OutboxWorker so two runs never overlap.
 */
export async function deliverDue(store: Store, ports: ChatPorts, now: Date): Promise<number> {
  let sent = 0;
  for (const summary of store.list()) {
    const tried = new Set<string>();
    for (;;) {
      const doc = store.get(summary.id);
      // A quarantined record is never written, so its messages wait until it is restored.
      if (!doc || store.quarantine(summary.id)) break;
      const batch = doc.outbox.filter((m) => !tried.has(m.id) && isDue(m, now) && ports[recipientPlatform(m.to)] !== undefined).slice(0, DELIVERY_BATCH);
      if (batch.length === 0) break;
      for (const m of batch) tried.add(m.id);
      const outcomes = await deliverBatch(doc, batch, ports, now);
      for (const outcome of outcomes.values()) if (outcome.patch.status === 'sent') sent += 1;
      if (outcomes.size > 0) await store.update(summary.id, (current) => recordOutcomes(current, outcomes, now));
      if (batch.length < DELIVERY_BATCH) break;
    }
  }
  return sent;
}

async function deliverBatch(doc: ReleaseDocument, batch: readonly OutboxMessage[], ports: ChatPorts, now: Date): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  // A platform that said "retry after" is not called again before then, in this pass either.
  const heldUntil = new Map<Platform, string>();
  for (const message of batch) {
    const platform = recipientPlatform(message.to);
    const held = heldUntil.get(platform);
    if (held !== undefined) {
      outcomes.set(message.id, { patch: { nextAttemptAt: held } });
      continue;
    }
    try {
      const outcome = await deliverOne(message, doc, ports[platform]!, now, outcomes);
      if (outcome) outcomes.set(message.id, outcome);
    } catch (error) {
      const patch = failure(message, error, now);
      outcomes.set(message.id, { patch });
      if (error instanceof RetryLater && error.afterMs !== undefined && patch.nextAttemptAt !== undefined) heldUntil.set(platform, patch.nextAttemptAt);
    }
  }
  return outcomes;
}

/** Undefined when the message must wait: an edit of a checklist not posted yet. */
async function deliverOne(message: OutboxMessage, doc: ReleaseDocument, port: ChatPort, now: Date, earlier: ReadonlyMap<string, Outcome>): Promise<Outcome | undefined> {
  const sent = { status: 'sent' as const, sentAt: now.toISOString(), attempts: message.attempts + 1 };
  if (message.kind === 'checklist-update') {
    const stored = doc.outbox.find((m) => m.id === message.params.updates);
    const post = stored && { ...stored, ...earlier.get(stored.id)?.patch };
    if (!post || post.status === 'failed' || post.status === 'dead' || post.superseded || !('channel' in post.to)) {
      return { patch: { status: 'failed', lastError: 'the checklist it edits was never posted or has been replaced' } };
    }
    if (post.status !== 'sent' || !post.messageRef) return undefined;
    const view = renderMessage(message, doc, now);
    await port.update(post.to.channel, post.messageRef, view);
    return { patch: sent, shown: view };
  }
  const view = renderMessage(message, doc, now);
  const { ref } = 'channel' in message.to ? await port.post(message.to.channel, view, message.id) : await port.dm(message.to.person, view, message.id);
  return { patch: { ...sent, messageRef: ref }, shown: view };
}

/** The one write after a batch: each outcome onto its message as the release is now. */
function recordOutcomes(doc: ReleaseDocument, outcomes: ReadonlyMap<string, Outcome>, now: Date): ReleaseDocument {
  const shownChecklists: Array<{ message: OutboxMessage; shown: View }> = [];
  for (const [id, outcome] of outcomes) {
    const target = doc.outbox.find((m) => m.id === id);
    if (!target) continue;
    Object.assign(target, outcome.patch);
    if (outcome.shown && (target.kind === 'checklist' || target.kind === 'checklist-update')) shownChecklists.push({ message: { ...target }, shown: outcome.shown });
  }
  // A change written while a checklist was on its way is not in what was shown: edit it again.
  for (const { message, shown } of shownChecklists) {
    if (JSON.stringify(renderMessage(message, doc, now)) === JSON.stringify(shown)) continue;
    const post = doc.outbox.find((m) => m.id === (message.kind === 'checklist-update' ? message.params.updates : message.id));
    if (post?.kind === 'checklist' && !post.superseded && post.status === 'sent') ensureChecklistUpdate(doc, post, now);
  }
  return doc;
}

function failure(message: OutboxMessage, error: unknown, now: Date): Patch {
  const attempts = message.attempts + 1;
  const lastError = String(error instanceof Error ? error.message : error).slice(0, 2000);
  if (!(error instanceof RetryLater)) return { status: 'failed', attempts, lastError };
  if (attempts >= MAX_ATTEMPTS) return { status: 'dead', attempts, lastError };
  // The platform's own wait (Retry-After) is kept to the millisecond; only a failure without one backs off.
  const wait = error.afterMs ?? backoff(attempts);
  return { attempts, lastError, nextAttemptAt: new Date(now.getTime() + wait).toISOString() };
}

/** Runs deliveries one at a time: a kick while one runs makes it go round once more. */
export class OutboxWorker {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly ports: ChatPorts,
    private readonly clock: Clock,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await deliverDue(this.store, this.ports, this.clock.now());
        } while (this.again);
      } catch (error) {
        this.log(`outbox delivery stopped: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
