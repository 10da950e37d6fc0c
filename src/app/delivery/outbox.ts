import type { Platform } from '../../domain/primitives.js';
import type { View } from '../../views/elements.js';
import { RetryLater, type ChatPort } from './chat-port.js';
import type { Release } from '../../domain/release.js';
import type { OutboxMessage } from './outbox-message.js';
import { OutboxDraft } from './outbox-draft.js';
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
 * Messages taken from the store at a time; those of one release are delivered before their
 * outcomes are written, in one write: a crash in between sends at most this many again, and a
 * burst of messages costs one write per release, not one each.
 */
export const DELIVERY_BATCH = 25;

/** Retry after 2, 4, 8 … seconds, capped at ten minutes. */
export function backoff(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** attempts);
}

type Patch = Partial<Pick<OutboxMessage, 'status' | 'attempts' | 'nextAttemptAt' | 'sentAt' | 'lastError' | 'messageRef'>>;
interface Outcome {
  patch: Patch;
  /** What a delivered message said: a checklist that changed since is edited again. */
  shown?: View;
}

/**
 * Sends every pending message that is due, oldest first, rendered from each release as it is now.
 * The outcomes of a release's messages in a batch (sent with the platform's id for it, retry at,
 * dead) are recorded in one transaction after them; an edit waits until the message it edits has
 * been sent. Call it through an OutboxWorker so two runs never overlap.
 */
export async function deliverDue(store: Store, ports: ChatPorts, now: Date): Promise<number> {
  let sent = 0;
  // Messages this run has tried or passed over (a platform not served here, a quarantined
  // release): each is looked at once per run, so a message that must wait cannot loop.
  const seen = new Set<string>();
  const quarantined = new Map<string, boolean>();
  const isQuarantined = async (id: string) => {
    if (!quarantined.has(id)) quarantined.set(id, (await store.quarantine(id)) !== undefined);
    return quarantined.get(id)!;
  };
  for (;;) {
    const limit = seen.size + DELIVERY_BATCH;
    const due = await store.dueOutbox(now, limit);
    const fresh = due.filter(({ releaseId, message }) => !seen.has(keyOf(releaseId, message.id)));
    if (fresh.length === 0) break;
    const batches = new Map<string, OutboxMessage[]>();
    for (const { releaseId, message } of fresh) {
      seen.add(keyOf(releaseId, message.id));
      // A quarantined record is never written, so its messages wait until it is restored.
      if (ports[recipientPlatform(message.to)] === undefined || (await isQuarantined(releaseId))) continue;
      batches.set(releaseId, [...(batches.get(releaseId) ?? []), message]);
    }
    for (const [releaseId, batch] of batches) sent += await deliverReleaseBatch(store, releaseId, batch, ports, now);
    // Everything due when this run looked has been tried; what the run itself wrote (an edit of a
    // checklist that changed while it was posted) waits for the next run.
    if (due.length < limit) break;
  }
  return sent;
}

const keyOf = (releaseId: string, messageId: string) => JSON.stringify([releaseId, messageId]);

/** One release's messages delivered, then their outcomes written in one transaction; resolves with how many were sent. */
async function deliverReleaseBatch(store: Store, releaseId: string, batch: readonly OutboxMessage[], ports: ChatPorts, now: Date): Promise<number> {
  const stored = await store.get(releaseId);
  if (!stored) return 0;
  // An edit needs the message it edits; only then is the whole outbox read.
  const outbox = batch.some((m) => m.kind === 'checklist-update') ? await store.outbox(releaseId) : [];
  const outcomes = await deliverBatch(stored.release, outbox, batch, ports, now);
  if (outcomes.size === 0) return 0;
  await store.transact(releaseId, async (current) => {
    const draft = new OutboxDraft(await store.outbox(releaseId));
    recordOutcomes(current.release, draft, outcomes, now);
    return { outbox: draft.changes(), result: undefined };
  });
  return [...outcomes.values()].filter((outcome) => outcome.patch.status === 'sent').length;
}

async function deliverBatch(release: Release, outbox: readonly OutboxMessage[], batch: readonly OutboxMessage[], ports: ChatPorts, now: Date): Promise<Map<string, Outcome>> {
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
      const outcome = await deliverOne(message, release, outbox, ports[platform]!, now, outcomes);
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
async function deliverOne(message: OutboxMessage, release: Release, outbox: readonly OutboxMessage[], port: ChatPort, now: Date, earlier: ReadonlyMap<string, Outcome>): Promise<Outcome | undefined> {
  const sent = { status: 'sent' as const, sentAt: now.toISOString(), attempts: message.attempts + 1 };
  if (message.kind === 'checklist-update') {
    const stored = outbox.find((m) => m.id === message.params.updates);
    const post = stored && { ...stored, ...earlier.get(stored.id)?.patch };
    if (!post || post.status === 'failed' || post.status === 'dead' || post.superseded || !('channel' in post.to)) {
      return { patch: { status: 'failed', lastError: 'the checklist it edits was never posted or has been replaced' } };
    }
    if (post.status !== 'sent' || !post.messageRef) return undefined;
    const view = renderMessage(message, { release }, now);
    await port.update(post.to.channel, post.messageRef, view);
    return { patch: sent, shown: view };
  }
  const view = renderMessage(message, { release }, now);
  const { ref } = 'channel' in message.to ? await port.post(message.to.channel, view, message.id) : await port.dm(message.to.person, view, message.id);
  return { patch: { ...sent, messageRef: ref }, shown: view };
}

/** The one write after a batch: each outcome onto its message as the outbox is now. */
function recordOutcomes(release: Release, outbox: OutboxDraft, outcomes: ReadonlyMap<string, Outcome>, now: Date): void {
  const shownChecklists: Array<{ message: OutboxMessage; shown: View }> = [];
  for (const [id, outcome] of outcomes) {
    const target = outbox.find(id);
    if (!target) continue;
    const message = { ...target, ...outcome.patch } as OutboxMessage;
    outbox.put(message);
    if (outcome.shown && (message.kind === 'checklist' || message.kind === 'checklist-update')) shownChecklists.push({ message, shown: outcome.shown });
  }
  // A change written while a checklist was on its way is not in what was shown: edit it again.
  for (const { message, shown } of shownChecklists) {
    if (JSON.stringify(renderMessage(message, { release }, now)) === JSON.stringify(shown)) continue;
    const post = outbox.find(message.kind === 'checklist-update' ? message.params.updates : message.id);
    if (post?.kind === 'checklist' && !post.superseded && post.status === 'sent') ensureChecklistUpdate(outbox, post, now);
  }
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
