import { z } from 'zod';
import { Instant, Platform, UserId } from '../domain/primitives.js';
import { ChannelReference } from '../domain/release.js';

// The inbox holds what a platform was told "received" until it has been handled: a request is
// written here (durably) before the platform gets its acknowledgement, and marked done once the
// person has been answered. What is received and not done, and whose handler is gone (golive
// restarted, or another replica died), is handled again: at start-up and then periodically.

const Id = z.string().min(1).max(200);
// Platform conversation and user ids are opaque here; only their size is bounded.
const PlatformId = z.string().min(1).max(200);

const base = {
  type: z.literal('received'),
  /** The platform's own id for the request (Slack's trigger_id), so a retry is recognised. */
  id: Id,
  at: Instant,
  platform: Platform,
  /** The platform's own id for the person (Slack's `U123`); the app qualifies it with `platform`. */
  actor: UserId,
  /** The conversation the request came from, if any (a DM or App Home has none). */
  channel: PlatformId.optional(),
  /** What the platform needs to post to that conversation later (Teams), kept with the channel it names. */
  reference: ChannelReference.optional(),
  /** Where to tell the person the outcome: the person, and the conversation they acted in. */
  reply: z.object({ user: PlatformId, channel: PlatformId.optional(), home: z.boolean().optional() }).strict(),
};

// Generous bounds: anything a platform can send fits, and what is written always reads back.
export const Received = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('command'), text: z.string().max(20_000) }).strict(),
  z.object({ ...base, kind: z.literal('action'), actionId: z.string().max(1000), value: z.string().max(20_000) }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('form'),
      formId: z.string().max(1000),
      metadata: z.string().max(20_000),
      values: z.record(z.string().max(200), z.string().max(20_000)),
    })
    .strict(),
]);
export type Received = z.infer<typeof Received>;

export const Done = z.object({ type: z.literal('done'), id: Id, at: Instant, outcome: z.string().max(500) }).strict();
export type Done = z.infer<typeof Done>;

export const InboxRecord = z.union([Received, Done]);
export type InboxRecord = z.infer<typeof InboxRecord>;

export interface Inbox {
  /**
   * True when other golive processes share this inbox (replicas on one database). A request this
   * process is still handling may then be taken over by another once its lease ends (this one
   * stalled): the handler looks for the request in the record before applying it, as a replay does.
   */
  readonly shared: boolean;
  /**
   * Resolves once `entry` is kept as `keeping` says (durable unless told otherwise). Resolves
   * false, writing nothing, when a request with this id was received already, by any process
   * sharing the inbox (a platform retry, perhaps sent to another replica): it must be
   * acknowledged, not handled again.
   */
  receive(entry: Received, keeping?: Keeping): Promise<boolean>;
  /**
   * Marks a received request handled, with a one-line outcome. A request already done keeps its
   * first outcome. The mark is written, not necessarily flushed (a store may do more): losing it
   * to a power cut only means the request is handled again after the restart, as a replay, which
   * finds in the record whatever it changed.
   */
  done(id: string, outcome: string): Promise<void>;
  /**
   * Requests received and not done whose handler is gone, from the given platforms only, oldest
   * first, and now claimed by the caller for one lease: another call (here or in another process)
   * returns one again only if that lease ends without it being marked done. At most a batch: call
   * again until it resolves empty. Rejects with a RangeError for a `now` that is not a time.
   */
  abandoned(now: Date, platforms: readonly Platform[]): Promise<Received[]>;
  /**
   * Extends, to a lease from `now`, the claim on every request this process received or took over
   * and is still handling, so a backlog in a live replica is not mistaken for a dead one. Resolves
   * with how many were extended (none where one process owns the inbox).
   */
  renew(now: Date): Promise<number>;
  close(): Promise<void>;
}

/**
 * How far a receipt is kept before the platform hears "received". `durable`: on disk, so neither
 * a crash of golive nor of the machine loses it. `written`: handed to the operating system, so a
 * crash or kill of golive does not lose it, a power cut may (a store may keep it durable anyway).
 * Only a request that changes nothing (readsOnly) is received `written`.
 */
export type Keeping = 'durable' | 'written';

/**
 * How long a claim on a request lasts unless renewed: handling one takes milliseconds, answering
 * the person a few seconds; a live replica renews what it still handles every RENEW_EVERY_MS.
 */
export const INBOX_LEASE_MS = 30_000;
export const RENEW_EVERY_MS = 5_000;
/** A request still not done this long after it was taken is no longer renewed: another may try it. */
export const MAX_HANDLING_MS = 10 * 60_000;

/** The entry as it will be kept; a TypeError saying what is wrong when it is not one golive can keep. */
export function keptReceived(entry: unknown): Received {
  const parsed = Received.safeParse(entry);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new TypeError(`inbox: not a request golive can keep (${path}${issue?.message ?? 'invalid'})`);
}

/** The outcome a done request keeps: one line, control characters and all, at most 500 characters. */
export function outcomeLineOf(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > 500 ? `${flat.slice(0, 499)}…` : flat;
}

export function assertTime(now: Date): void {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new RangeError(`inbox: "${String(now)}" is not a time to look for abandoned requests at`);
}
