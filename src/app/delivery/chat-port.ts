import type { Channel } from '../../domain/release.js';
import type { View } from '../../views/elements.js';
import type { Person } from './outbox-message.js';

/** What an adapter offers the outbox: delivery of a view to a channel or a person, or an edit of one sent before. */
export interface ChatPort {
  /** Posts a view; returns the platform's id for the message so it can be updated in place. */
  post(channel: Channel, view: View, idempotencyKey: string): Promise<{ ref: string }>;
  update(channel: Channel, ref: string, view: View): Promise<void>;
  /** Sends a view to one person, as a direct message from golive. */
  dm(person: Person, view: View, idempotencyKey: string): Promise<{ ref: string }>;
}

/**
 * A delivery that did not happen and may be tried again: rate limited (with the platform's own
 * wait), a server error or a network failure. Any other error is final for that message.
 */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}
