import type { WaitCovers } from './chat-port.js';
import type { OutboxMessage } from './outbox-message.js';

/**
 * The platforms' "retry after" as one pass of deliveries has been told it: a conversation, or one
 * kind of call into it, is not called again before then. Other conversations are not held up.
 */
export class Waits {
  private readonly until = new Map<string, string>();

  /** When `message` may be tried, if a wait holds it back (ISO 8601). */
  heldUntil(message: OutboxMessage): string | undefined {
    const conversation = conversationOf(message);
    return later(this.until.get(conversation), this.until.get(`${conversation} ${callOf(message)}`));
  }

  /** `message` was refused until `at` (ISO 8601), and so is what the wait covers. */
  hold(message: OutboxMessage, covers: WaitCovers, at: string): void {
    const conversation = conversationOf(message);
    const key = covers === 'call' ? `${conversation} ${callOf(message)}` : conversation;
    this.until.set(key, later(this.until.get(key), at)!);
  }
}

/**
 * Where a message goes: a channel, or one person's direct messages, on a platform. Messages to
 * one conversation are delivered in order; different conversations at once.
 */
export function conversationOf(message: OutboxMessage): string {
  const to = message.to;
  return 'channel' in to ? `${to.channel.platform} channel ${to.channel.id}` : `${to.person.platform} person ${to.person.id}`;
}

/** The kind of call a message makes: an edit of a message sent before, or a new one. */
function callOf(message: OutboxMessage): 'edit' | 'send' {
  return message.kind === 'checklist-update' ? 'edit' : 'send';
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
