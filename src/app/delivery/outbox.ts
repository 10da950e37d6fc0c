import type { Platform } from '../../domain/primitives.js';
import type { View } from '../../views/elements.js';
import { RetryLater, type ChatPort, type DeliveryHint } from './chat-port.js';
import type { Release } from '../../domain/release.js';
import type { OutboxMessage } from './outbox-message.js';
import { OutboxDraft } from './outbox-draft.js';
import type { ClaimedMessage, Store } from '../store-port.js';
import { assertLeaseOutlastsDelivery, newHolder, OUTBOX_LEASE_MS, processClaimant, startWindowMs, type Claimant } from './claimant.js';
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
 * Messages claimed from the store at a time; those of one release are delivered before their
 * outcomes are written, in one write that ends their claims: a burst of messages costs one write
 * per release, not one each. A crash in between leaves at most this many claimed without an
 * outcome; whoever claims them next is told (stale), and looks for them where the platform allows.
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

export interface DeliveryOptions {
  /** Who claims the messages, and for how long; default: one holder for this process, OUTBOX_LEASE_MS. */
  claimant?: Claimant;
  /**
   * Milliseconds from any fixed point, never going back: how long a batch has been delivering,
   * against its claim's lease. Default: the process's monotonic clock (performance.now).
   */
  stopwatch?: () => number;
  log?: (message: string) => void;
}

/** What one run of deliveries holds throughout. */
interface Run {
  ports: ChatPorts;
  claimant: Claimant;
  stopwatch: () => number;
  log: (message: string) => void;
}

/** What one claimed batch holds: its time, and the stopwatch reading after which none of its deliveries starts. */
interface Batch extends Run {
  now: Date;
  startBy: number;
}

/**
 * Sends every pending message that is due, oldest first, rendered from each release as it is now.
 * Messages are claimed from the store a batch at a time (Store.claimDue), only those to the
 * platforms in `ports`: no other holder, in this process or another replica on the same
 * database, is given them while the claim holds. The outcomes of a release's messages in a batch
 * (sent with the platform's id for it, retry at, dead) are recorded in one transaction after
 * them, which ends their claims; an edit waits until the message it edits has been sent. A
 * message whose earlier claim ended without an outcome (its deliverer died) is sent with a hint,
 * so a platform that can look for it does, and does not send it twice. Call it through an
 * OutboxWorker so two runs in one process never overlap.
 */
export async function deliverDue(store: Store, ports: ChatPorts, at: Date | Clock, options: DeliveryOptions = {}): Promise<number> {
  const clock: Clock = at instanceof Date ? { now: () => at } : at;
  const claimant = options.claimant ?? processClaimant();
  assertLeaseOutlastsDelivery(claimant);
  const run: Run = { ports, claimant, stopwatch: options.stopwatch ?? (() => performance.now()), log: options.log ?? (() => undefined) };
  const platforms = (Object.keys(ports) as Platform[]).filter((platform) => ports[platform] !== undefined);
  if (platforms.length === 0) return 0;
  let sent = 0;
  // Edits still waiting for the message they edit, and messages this run has tried already:
  // claimed until the run ends, so the run does not take them again, then given back.
  const waiting = new Map<string, string[]>();
  const keep = (releaseId: string, id: string) => waiting.set(releaseId, [...(waiting.get(releaseId) ?? []), id]);
  // Each message is looked at once per run, so one that is due again at once cannot loop.
  const seen = new Set<string>();
  try {
    for (;;) {
      const now = clock.now();
      const claimed = await store.claimDue(now, DELIVERY_BATCH, { holder: claimant.holder, leaseMs: claimant.leaseMs, platforms });
      if (claimed.length === 0) break;
      const fresh = claimed.filter((claim) => {
        const key = deliveryKey(claim.releaseId, claim.message.id);
        if (!seen.has(key)) return seen.add(key);
        keep(claim.releaseId, claim.message.id);
        return false;
      });
      const batch: Batch = { ...run, now, startBy: run.stopwatch() + startWindowMs(claimant) };
      let tried = 0;
      let givenBack = 0;
      for (const [releaseId, messages] of byRelease(fresh)) {
        const done = await deliverReleaseBatch(store, releaseId, messages, batch);
        sent += done.sent;
        tried += done.tried;
        givenBack += done.untried.length;
        for (const id of done.waiting) keep(releaseId, id);
        // Not looked at after all: the next batch may take them.
        for (const id of done.untried) seen.delete(deliveryKey(releaseId, id));
      }
      // Everything due when this run looked has been tried; what the run itself wrote (an edit of a
      // checklist that changed while it was posted) waits for the next run. What a batch gave back
      // for lack of lease is claimed again at once, unless it tried nothing at all: then the run
      // stops rather than claiming again and again.
      if (tried === 0 || (claimed.length < DELIVERY_BATCH && givenBack === 0)) break;
    }
  } finally {
    await giveBack(store, waiting, run);
  }
  return sent;
}

/** The name of an outbox message on a platform, the same on every try: release and message id. */
export function deliveryKey(releaseId: string, messageId: string): string {
  return `${releaseId}:${messageId}`;
}

function byRelease(claimed: readonly ClaimedMessage[]): Map<string, ClaimedMessage[]> {
  const batches = new Map<string, ClaimedMessage[]>();
  for (const claim of claimed) batches.set(claim.releaseId, [...(batches.get(claim.releaseId) ?? []), claim]);
  return batches;
}

/** Ends the claims on what the run kept to itself (waiting edits, repeats); a failure leaves them to their lease, and is logged. */
async function giveBack(store: Store, waiting: ReadonlyMap<string, string[]>, run: Run): Promise<void> {
  for (const [releaseId, messageIds] of waiting) {
    await store
      .transact(releaseId, () => ({ endClaims: { holder: run.claimant.holder, messageIds }, result: undefined }))
      .catch((error: unknown) => {
        run.log(`outbox: the claims on ${messageIds.length} message(s) of ${releaseId} left for later were not given back (${reasonOf(error)}); they are free once their lease ends`);
      });
  }
}

/**
 * One release's claimed messages delivered, then their outcomes written in one transaction that
 * ends their claims, and those of messages given back untried for lack of lease. Resolves with
 * how many were sent and tried, the ids given back, and the edits left waiting (their claims are
 * ended when the run ends). A message that may have been sent already and was not tried keeps
 * its claim (see deliverBatch).
 */
async function deliverReleaseBatch(store: Store, releaseId: string, batch: readonly ClaimedMessage[], run: Batch): Promise<{ sent: number; tried: number; untried: string[]; waiting: string[] }> {
  const stored = await store.get(releaseId);
  if (!stored) return { sent: 0, tried: 0, untried: [], waiting: [] };
  // An edit needs the message it edits; only then is the whole outbox read.
  const outbox = batch.some((claim) => claim.message.kind === 'checklist-update') ? await store.outbox(releaseId) : [];
  const { outcomes, untried, kept } = await deliverBatch(releaseId, stored.release, outbox, batch, run);
  const ending = [...outcomes.keys(), ...untried];
  const waiting = batch.map((claim) => claim.message.id).filter((id) => !outcomes.has(id) && !untried.includes(id) && !kept.includes(id));
  if (ending.length > 0) {
    await store.transact(releaseId, async (current) => {
      const draft = new OutboxDraft(await store.outbox(releaseId));
      recordOutcomes(current.release, draft, outcomes, run.now);
      return { outbox: draft.changes(), endClaims: { holder: run.claimant.holder, messageIds: ending }, result: undefined };
    });
  }
  const sent = [...outcomes.values()].filter((outcome) => outcome.patch.status === 'sent').length;
  return { sent, tried: batch.length - untried.length - kept.length, untried, waiting };
}

async function deliverBatch(
  releaseId: string,
  release: Release,
  outbox: readonly OutboxMessage[],
  batch: readonly ClaimedMessage[],
  run: Batch,
): Promise<{ outcomes: Map<string, Outcome>; untried: string[]; kept: string[] }> {
  const outcomes = new Map<string, Outcome>();
  const untried: string[] = [];
  const kept: string[] = [];
  // A platform that said "retry after" is not called again before then, in this pass either.
  const heldUntil = new Map<Platform, string>();
  for (const { message, stale } of batch) {
    const platform = recipientPlatform(message.to);
    const held = heldUntil.get(platform);
    // Not tried now: too little of the claim is left for the longest delivery, or the platform
    // asked for a wait. A message that may have been sent already keeps its claim until the lease
    // ends, so whoever takes it next still looks for it first; any other is given back.
    const late = run.stopwatch() > run.startBy;
    if ((late || held !== undefined) && stale) {
      kept.push(message.id);
      continue;
    }
    if (late) {
      untried.push(message.id);
      continue;
    }
    if (held !== undefined) {
      outcomes.set(message.id, { patch: { nextAttemptAt: held } });
      continue;
    }
    if (stale) run.log(`outbox: ${releaseId}/${message.id} was being delivered from ${stale.since} by a delivery that stopped without an outcome; it may be on ${platform} already`);
    const hint: DeliveryHint = stale ? { maybeSentSince: new Date(stale.since) } : {};
    try {
      const outcome = await deliverOne(releaseId, message, release, outbox, run.ports[platform]!, run.now, outcomes, hint);
      if (outcome) outcomes.set(message.id, outcome);
    } catch (error) {
      const patch = failure(message, error, run.now);
      outcomes.set(message.id, { patch });
      if (error instanceof RetryLater && error.afterMs !== undefined && patch.nextAttemptAt !== undefined) heldUntil.set(platform, patch.nextAttemptAt);
    }
  }
  return { outcomes, untried, kept };
}

/** Undefined when the message must wait: an edit of a checklist not posted yet. */
async function deliverOne(
  releaseId: string,
  message: OutboxMessage,
  release: Release,
  outbox: readonly OutboxMessage[],
  port: ChatPort,
  now: Date,
  earlier: ReadonlyMap<string, Outcome>,
  hint: DeliveryHint,
): Promise<Outcome | undefined> {
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
  const key = deliveryKey(releaseId, message.id);
  const { ref } = 'channel' in message.to ? await port.post(message.to.channel, view, key, hint) : await port.dm(message.to.person, view, key, hint);
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
    /** Who this worker claims messages as (default: a new holder, OUTBOX_LEASE_MS), and its stopwatch (see DeliveryOptions). */
    options: { claimant?: Claimant; stopwatch?: () => number } = {},
  ) {
    this.claimant = options.claimant ?? { holder: newHolder(), leaseMs: OUTBOX_LEASE_MS };
    assertLeaseOutlastsDelivery(this.claimant);
    this.stopwatch = options.stopwatch;
  }

  readonly claimant: Claimant;
  private readonly stopwatch: (() => number) | undefined;

  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await deliverDue(this.store, this.ports, this.clock, { claimant: this.claimant, log: this.log, ...(this.stopwatch && { stopwatch: this.stopwatch }) });
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

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
