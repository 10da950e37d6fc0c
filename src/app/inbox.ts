import { z } from 'zod';
import { Instant, Platform, UserId } from '../domain/primitives.js';
import { ChannelReference } from '../domain/release.js';

// The inbox holds what a platform was told "received" until it has been handled: a request is
// written here (durably) before the platform gets its acknowledgement, and marked done once the
// person has been answered. What is received and not done is handled again at start-up.

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
   * Resolves once `entry` is on disk. Resolves false, writing nothing, when a request with this id
   * was received already (a platform retry): it must be acknowledged, not handled again.
   */
  receive(entry: Received): Promise<boolean>;
  /** Marks a received request handled, with a one-line outcome. */
  done(id: string, outcome: string): Promise<void>;
  /** Received and not done, in the order received. */
  unfinished(): Received[];
  close(): Promise<void>;
}
