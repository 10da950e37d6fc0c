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
import { Slots } from './slots.js';
import { conversationOf, Waits } from './waits.js';

export type ChatPorts = Partial<Record<Platform, ChatPort>>;

/**
 * Tries before a message is dead-lettered (status `dead`) and shown to the managers in `status`.
 * With the backoff below, 14 tries span about 70 minutes: a platform down for an hour still gets
 * what golive said on its own (the go/no-go announcement) once it is back.
 */
export const MAX_ATTEMPTS = 14;
/**
 * Messages claimed from the store at a time; those of one release are delivered before their
 * outcomes are written, in one write that ends their claims: one answer on a release linked to
 * 50 channels costs one claim and one write, not one each. A crash in between leaves at most this
 * many claimed without an outcome; whoever claims them next is told (stale), and looks for them
 * where the platform allows.
 */
export const DELIVERY_BATCH = 100;
/**
 * Conversations a batch delivers to at the same time. Each conversation's messages go in order
 * (an edit after the post it edits); a platform's limits are per conversation, so a wait in one
 * holds up none of the others.
 */
export const DELIVERY_CONCURRENCY = 16;

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

/** What one run of deliveries did. */
export interface DeliveryRun {
  sent: number;
  /**
   * When messages this run tried, or wrote, are due again (ISO 8601, each once, earliest first):
   * retries the platform asked for, and edits of checklists that changed while they were posted
   * (due at once). When to look again, so a retry goes out when it is due, not at the next poll.
   */
  dueAgain: string[];
}

/** What one run of deliveries holds throughout. */
interface Run {
  ports: ChatPorts;
  clock: Clock;
  claimant: Claimant;
  stopwatch: () => number;
  log: (message: string) => void;
}

/** What one claimed batch holds: its time, the stopwatch reading after which none of its deliveries starts, the waits it was told, and its slots. */
interface Batch extends Run {
  now: Date;
  startBy: number;
  waits: Waits;
  slots: Slots;
}

/** Sends every pending message that is due; resolves with how many were sent. See deliverRun. */
export async function deliverDue(store: Store, ports: ChatPorts, at: Date | Clock, options: DeliveryOptions = {}): Promise<number> {
  return (await deliverRun(store, ports, at, options)).sent;
}

/**
 * Sends every pending message that is due, oldest first, rendered from each release as it is now.
 * Messages are claimed from the store a batch at a time (Store.claimDue), only those to the
 * platforms in `ports`: no other holder, in this process or another replica on the same
 * database, is given them while the claim holds. A batch goes out to up to DELIVERY_CONCURRENCY
 * conversations at once, each conversation's messages in order. The outcomes of a release's
 * messages in a batch (sent with the platform's id for it, retry at, dead) are recorded in one
 * transaction after them, which ends their claims; an edit waits until the message it edits has
 * been sent. A message whose earlier claim ended without an outcome (its deliverer died) is sent
 * with a hint, so a platform that can look for it does, and does not send it twice. Call it
 * through an OutboxWorker so two runs in one process never overlap.
 */
export async function deliverRun(store: Store, ports: ChatPorts, at: Date | Clock, options: DeliveryOptions = {}): Promise<DeliveryRun> {
  const clock: Clock = at instanceof Date ? { now: () => at } : at;
  const claimant = options.claimant ?? processClaimant();
  assertLeaseOutlastsDelivery(claimant);
  const run: Run = { ports, clock, claimant, stopwatch: options.stopwatch ?? (() => performance.now()), log: options.log ?? (() => undefined) };
  const platforms = (Object.keys(ports) as Platform[]).filter((platform) => ports[platform] !== undefined);
  if (platforms.length === 0) return { sent: 0, dueAgain: [] };
  let sent = 0;
  const dueAgain = new Set<string>();
  // Edits still waiting for the message they edit, and messages this run has tried already:
  // claimed until the run ends, so the run does not take them again, then given back.
  const waiting = new Map<string, string[]>();
  const keep = (releaseId: string, id: string) => waiting.set(releaseId, [...(waiting.get(releaseId) ?? []), id]);
  // Each message is looked at once per run, so one that is due again at once cannot loop.
  const seen = new Set<string>();
  // A wait a platform asked for holds for the rest of the run, in later batches too.
  const waits = new Waits();
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
      const batch: Batch = { ...run, now, startBy: run.stopwatch() + startWindowMs(claimant), waits, slots: new Slots(DELIVERY_CONCURRENCY) };
      const releases = [...byRelease(fresh)];
      // Every release's deliveries run to their end, and have their outcomes written, before a
      // failed write stops the run: one release's store error costs no other its record.
      const settled = await Promise.allSettled(releases.map(([releaseId, messages]) => deliverReleaseBatch(store, releaseId, messages, batch)));
      let tried = 0;
      let givenBack = 0;
      settled.forEach((result, i) => {
        if (result.status === 'rejected') return;
        const [releaseId] = releases[i]!;
        const done = result.value;
        sent += done.sent;
        tried += done.tried;
        givenBack += done.untried.length;
        for (const at of done.dueAgain) dueAgain.add(at);
        for (const id of done.waiting) keep(releaseId, id);
        // Not looked at after all: the next batch may take them.
        for (const id of done.untried) seen.delete(deliveryKey(releaseId, id));
      });
      const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
      // Everything due when this run looked has been tried; what the run itself wrote (an edit of a
      // checklist that changed while it was posted) waits for the next run. What a batch gave back
      // for lack of lease is claimed again at once, unless it tried nothing at all: then the run
      // stops rather than claiming again and again.
      if (tried === 0 || (claimed.length < DELIVERY_BATCH && givenBack === 0)) break;
    }
  } finally {
    await giveBack(store, waiting, run);
  }
  return { sent, dueAgain: [...dueAgain].sort((a, b) => Date.parse(a) - Date.parse(b)) };
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

interface ReleaseBatchDone {
  sent: number;
  tried: number;
  untried: string[];
  waiting: string[];
  dueAgain: string[];
}

/**
 * One release's claimed messages delivered, then their outcomes written in one transaction that
 * ends their claims, and those of messages given back untried for lack of lease. Resolves with
 * how many were sent and tried, the ids given back, the edits left waiting (their claims are
 * ended when the run ends), and when what it wrote is next due. A message that may have been
 * sent already and was not tried keeps its claim (see deliverBatch).
 */
async function deliverReleaseBatch(store: Store, releaseId: string, batch: readonly ClaimedMessage[], run: Batch): Promise<ReleaseBatchDone> {
  const stored = await store.get(releaseId);
  if (!stored) return { sent: 0, tried: 0, untried: [], waiting: [], dueAgain: [] };
  // An edit needs the message it edits; only then is the whole outbox read.
  const outbox = batch.some((claim) => claim.message.kind === 'checklist-update') ? await store.outbox(releaseId) : [];
  const { outcomes, untried, kept } = await deliverBatch(releaseId, stored.release, outbox, batch, run);
  const ending = [...outcomes.keys(), ...untried];
  const waiting = batch.map((claim) => claim.message.id).filter((id) => !outcomes.has(id) && !untried.includes(id) && !kept.includes(id));
  const dueAgain: string[] = [];
  for (const { patch } of outcomes.values()) if (patch.status === undefined && patch.nextAttemptAt !== undefined) dueAgain.push(patch.nextAttemptAt);
  if (ending.length > 0) {
    const editAgain = await store.transact(releaseId, async (current) => {
      const draft = new OutboxDraft(await store.outbox(releaseId));
      const again = recordOutcomes(current.release, draft, outcomes, run.now);
      return { outbox: draft.changes(), endClaims: { holder: run.claimant.holder, messageIds: ending }, result: again };
    });
    if (editAgain) dueAgain.push(run.now.toISOString());
  }
  const sent = [...outcomes.values()].filter((outcome) => outcome.patch.status === 'sent').length;
  return { sent, tried: batch.length - untried.length - kept.length, untried, waiting, dueAgain };
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
  const { leaders, riders } = collapseEdits(batch);
  const deliver = async ({ message, stale }: ClaimedMessage): Promise<void> => {
    const platform = recipientPlatform(message.to);
    const held = run.waits.heldUntil(message);
    // Not tried now: too little of the claim is left for the longest delivery, or the platform
    // asked for a wait. A message that may have been sent already keeps its claim until the lease
    // ends, so whoever takes it next still looks for it first; any other is given back.
    const late = run.stopwatch() > run.startBy;
    if ((late || held !== undefined) && stale) {
      kept.push(message.id);
      return;
    }
    if (late) {
      untried.push(message.id);
      return;
    }
    if (held !== undefined) {
      outcomes.set(message.id, { patch: { nextAttemptAt: held } });
      return;
    }
    if (stale) run.log(`outbox: ${releaseId}/${message.id} was being delivered from ${stale.since} by a delivery that stopped without an outcome; it may be on ${platform} already`);
    const hint: DeliveryHint = stale ? { maybeSentSince: new Date(stale.since) } : {};
    try {
      const outcome = await deliverOne(releaseId, message, release, outbox, run.ports[platform]!, run.now, outcomes, hint);
      if (outcome) outcomes.set(message.id, outcome);
    } catch (error) {
      // The platform's wait runs from its answer, read off the clock when it came.
      const when = error instanceof RetryLater && error.afterMs !== undefined ? run.clock.now() : run.now;
      const patch = failure(message, error, when);
      outcomes.set(message.id, { patch });
      if (error instanceof RetryLater && error.afterMs !== undefined && patch.nextAttemptAt !== undefined) run.waits.hold(message, error.covers, patch.nextAttemptAt);
    }
  };
  await Promise.all(
    [...byConversation(leaders).values()].map((lane) =>
      run.slots.run(async () => {
        for (const claim of lane) await deliver(claim);
      }),
    ),
  );
  // An older edit of the same checklist went out as the newer one: it shares its outcome.
  for (const [leader, followers] of riders) {
    const outcome = outcomes.get(leader);
    for (const { message } of followers) {
      if (outcome) outcomes.set(message.id, { patch: { ...outcome.patch, attempts: message.attempts + 1 } });
      else if (untried.includes(leader) || kept.includes(leader)) untried.push(message.id);
    }
  }
  return { outcomes, untried, kept };
}

/**
 * Pending edits of one checklist (written by an older golive, one per change) make one edit, with
 * the checklist as it is now: the newest goes out, the older ones ride with it.
 */
function collapseEdits(batch: readonly ClaimedMessage[]): { leaders: ClaimedMessage[]; riders: Map<string, ClaimedMessage[]> } {
  const newest = new Map<string, ClaimedMessage>();
  for (const claim of batch) if (claim.message.kind === 'checklist-update') newest.set(claim.message.params.updates, claim);
  const riders = new Map<string, ClaimedMessage[]>();
  const leaders = batch.filter((claim) => {
    if (claim.message.kind !== 'checklist-update') return true;
    const leader = newest.get(claim.message.params.updates)!;
    if (leader === claim) return true;
    riders.set(leader.message.id, [...(riders.get(leader.message.id) ?? []), claim]);
    return false;
  });
  return { leaders, riders };
}

function byConversation(claimed: readonly ClaimedMessage[]): Map<string, ClaimedMessage[]> {
  const lanes = new Map<string, ClaimedMessage[]>();
  for (const claim of claimed) {
    const key = conversationOf(claim.message);
    lanes.set(key, [...(lanes.get(key) ?? []), claim]);
  }
  return lanes;
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

/** The one write after a batch: each outcome onto its message as the outbox is now. True when a checklist is to be edited again. */
function recordOutcomes(release: Release, outbox: OutboxDraft, outcomes: ReadonlyMap<string, Outcome>, now: Date): boolean {
  const shownChecklists: Array<{ message: OutboxMessage; shown: View }> = [];
  for (const [id, outcome] of outcomes) {
    const target = outbox.find(id);
    if (!target) continue;
    const message = { ...target, ...outcome.patch } as OutboxMessage;
    outbox.put(message);
    if (outcome.shown && (message.kind === 'checklist' || message.kind === 'checklist-update')) shownChecklists.push({ message, shown: outcome.shown });
  }
  // A change written while a checklist was on its way is not in what was shown: edit it again.
  let again = false;
  for (const { message, shown } of shownChecklists) {
    if (JSON.stringify(renderMessage(message, { release }, now)) === JSON.stringify(shown)) continue;
    const post = outbox.find(message.kind === 'checklist-update' ? message.params.updates : message.id);
    if (post?.kind === 'checklist' && !post.superseded && post.status === 'sent') {
      ensureChecklistUpdate(outbox, post, now);
      again = true;
    }
  }
  return again;
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

/** How much later than the earliest due message a wake may come, to take those due just after it in the same pass. */
export const WAKE_GATHER_MS = 50;

/** The longest a Node timer waits; a later wake (a Retry-After given as a far date) is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs deliveries one at a time: a kick while one runs makes it go round once more. When asked
 * to (`wakes`), it also runs on its own when a message it was told to retry later is due (a
 * platform's Retry-After, a backoff), by a timer set from the clock, rather than at the next poll.
 */
export class OutboxWorker {
  private running: Promise<void> | undefined;
  private again = false;
  /** Whether it wakes itself: asked to, and not stopped. */
  private wakes: boolean;
  /** When messages it tried are due again, epoch ms by the clock, earliest first. */
  private dues: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private wakeAt: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly ports: ChatPorts,
    private readonly clock: Clock,
    private readonly log: (message: string) => void = () => undefined,
    /**
     * Who this worker claims messages as (default: a new holder, OUTBOX_LEASE_MS), its stopwatch
     * (see DeliveryOptions), and whether it wakes itself for what is due later (default: no, it
     * runs only when kicked).
     */
    options: { claimant?: Claimant; stopwatch?: () => number; wakes?: boolean } = {},
  ) {
    this.claimant = options.claimant ?? { holder: newHolder(), leaseMs: OUTBOX_LEASE_MS };
    assertLeaseOutlastsDelivery(this.claimant);
    this.stopwatch = options.stopwatch;
    this.wakes = options.wakes === true;
  }

  readonly claimant: Claimant;
  private readonly stopwatch: (() => number) | undefined;

  /** When it will next run on its own, if it waits for a message due later. */
  get wakesAt(): Date | undefined {
    return this.wakeAt === undefined ? undefined : new Date(this.wakeAt);
  }

  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const run = await deliverRun(this.store, this.ports, this.clock, { claimant: this.claimant, log: this.log, ...(this.stopwatch && { stopwatch: this.stopwatch }) });
          this.remember(run.dueAgain);
        } while (this.again);
      } catch (error) {
        this.log(`outbox delivery stopped: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when no run is going. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No more waking on its own (serving stops); a kick still runs. */
  stop(): void {
    this.wakes = false;
    this.dues = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = undefined;
  }

  private remember(dueAgain: readonly string[]): void {
    if (!this.wakes || dueAgain.length === 0) return;
    this.dues = [...new Set([...this.dues, ...dueAgain.map((at) => Date.parse(at))])].sort((a, b) => a - b);
    const next = this.nextWake();
    if (this.wakeAt === undefined || next < this.wakeAt) this.arm(next);
  }

  /**
   * When to run next: once the earliest due message is due, and with it those due within
   * WAKE_GATHER_MS after it (a burst of 429s answered a few milliseconds apart), so one pass,
   * one claim and one write take them all rather than one pass each.
   */
  private nextWake(): number {
    const first = this.dues[0]!;
    return this.dues.filter((due) => due <= first + WAKE_GATHER_MS).at(-1)!;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.wakeAt = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.clock.now().getTime()));
    this.timer = setTimeout(() => this.wake(at, delay), delay);
    // A wait for a retry never keeps the process alive on its own.
    this.timer.unref();
  }

  private wake(at: number, delay: number): void {
    this.timer = undefined;
    this.wakeAt = undefined;
    // A timer may fire a moment before the clock reads `at`: wait out the rest. A clock that does
    // not move with time (a rehearsal's, a test's) is taken as having reached it.
    const left = at - this.clock.now().getTime();
    if (left > 0 && left < delay) {
      this.arm(at);
      return;
    }
    this.dues = this.dues.filter((due) => due > at);
    if (this.dues.length > 0) this.arm(this.nextWake());
    void this.kick();
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
