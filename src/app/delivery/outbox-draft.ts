import type { OutboxMessage } from './outbox-message.js';

/**
 * A release's outbox as one transaction sees and changes it: messages are added or replaced by
 * id, and `changes()` is what the store is asked to save (the rest stays as it is).
 */
export class OutboxDraft {
  private readonly list: OutboxMessage[];
  private readonly at = new Map<string, number>();
  private readonly changed = new Set<string>();

  constructor(messages: readonly OutboxMessage[]) {
    this.list = [...messages];
    this.list.forEach((message, index) => this.at.set(message.id, index));
  }

  get messages(): readonly OutboxMessage[] {
    return this.list;
  }

  find(id: string): OutboxMessage | undefined {
    const index = this.at.get(id);
    return index === undefined ? undefined : this.list[index];
  }

  /** Adds `message`, or replaces the one with its id. */
  put(message: OutboxMessage): void {
    const index = this.at.get(message.id);
    if (index === undefined) {
      this.at.set(message.id, this.list.length);
      this.list.push(message);
    } else this.list[index] = message;
    this.changed.add(message.id);
  }

  /** The messages added or replaced, as they are now, in outbox order. */
  changes(): OutboxMessage[] {
    return this.list.filter((message) => this.changed.has(message.id));
  }
}
