import type { StoredRelease } from '../store-port.js';
import type { View } from '../../views/elements.js';
import type { MessageKind, MessageOf } from './outbox-message.js';

/**
 * How one kind of message is put into words: from the release as it is at delivery and the
 * message's own params. `words` names the kind where people read about it (status lists what
 * could not be delivered).
 */
export interface KindRenderer<K extends MessageKind> {
  words: string | ((message: MessageOf<K>) => string);
  render(message: MessageOf<K>, doc: Pick<StoredRelease, 'release'>, now: Date): View;
}

/**
 * What a message speaks of is not in the release (an index past its history): no try will ever
 * render it, so it is not retried.
 */
export class Undeliverable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Undeliverable';
  }
}
