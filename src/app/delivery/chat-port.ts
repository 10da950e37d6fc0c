import type { Channel } from '../../domain/release.js';
import type { View } from '../../views/elements.js';
import type { Person } from './outbox-message.js';

/**
 * What an adapter offers the outbox: delivery of a view to a channel or a person, or an edit of
 * one sent before. One call, with its look-up when `hint.maybeSentSince` is given, ends within
 * DELIVERY_TIMEOUT_MS: the outbox's claim on the message must outlast it (see outbox.ts).
 */
export interface ChatPort {
  /**
   * Posts a view; returns the platform's id for the message so it can be updated in place.
   * `idempotencyKey` names the outbox message (the same on every try).
   */
  post(channel: Channel, view: View, idempotencyKey: string, hint?: DeliveryHint): Promise<{ ref: string }>;
  update(channel: Channel, ref: string, view: View): Promise<void>;
  /** Sends a view to one person, as a direct message from golive. */
  dm(person: Person, view: View, idempotencyKey: string, hint?: DeliveryHint): Promise<{ ref: string }>;
}

export interface DeliveryHint {
  /**
   * An earlier try of this message ended without an outcome (a replica died mid-delivery, or
   * golive before a restart), so the platform may show it already: it was not sent before this
   * instant. A platform that can look for its messages looks for it (by `idempotencyKey`) and
   * answers with the one it finds instead of sending it again.
   */
  maybeSentSince?: Date;
}

/**
 * The longest one ChatPort call may take, its look-up and retries included: adapters set their
 * HTTP timeouts to keep within it (Slack: 10 s a call, at most 4 calls; Teams: 10 s a call, at most 2).
 */
export const DELIVERY_TIMEOUT_MS = 40_000;

/**
 * What a platform's wait (RetryLater.afterMs) holds back: every call into the conversation, or
 * only calls of the same kind (a post, or an edit) into it, where the platform limits each method
 * in each channel on its own.
 */
export type WaitCovers = 'conversation' | 'call';

/**
 * A delivery that did not happen and may be tried again: rate limited (with the platform's own
 * wait), a server error or a network failure. Any other error is final for that message.
 */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
    readonly covers: WaitCovers = 'conversation',
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}
