import type { Platform } from '../domain/primitives.js';
import type { ChatPort } from './chat-port.js';
import type { Store } from './store-port.js';

export type ChatPorts = Partial<Record<Platform, ChatPort>>;

const MAX_ATTEMPTS = 8;

/** Retry after 2, 4, 8 … seconds, capped at ten minutes. */
export function backoff(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** attempts);
}

/**
 * Sends every pending message that is due, at most once: a message is marked sent in the same
 * durable write that records its platform id, and a message is skipped while it is not due.
 */
export async function deliverDue(store: Store, ports: ChatPorts, now: Date): Promise<number> {
  let sent = 0;
  for (const summary of store.list()) {
    const doc = store.get(summary.id);
    if (!doc) continue;
    const due = doc.outbox.filter((m) => m.status === 'pending' && (m.nextAttemptAt === undefined || Date.parse(m.nextAttemptAt) <= now.getTime()));
    for (const message of due) {
      const port = ports[message.channel.platform];
      if (!port) continue;
      let patch: Partial<typeof message>;
      try {
        const { ref } = await port.post(message.channel, message.view, message.id);
        patch = { status: 'sent', sentAt: now.toISOString(), messageRef: ref, attempts: message.attempts + 1 };
        sent += 1;
      } catch (error) {
        const attempts = message.attempts + 1;
        const lastError = String(error instanceof Error ? error.message : error).slice(0, 2000);
        patch = attempts >= MAX_ATTEMPTS ? { status: 'failed', attempts, lastError } : { attempts, lastError, nextAttemptAt: new Date(now.getTime() + backoff(attempts)).toISOString() };
      }
      await store.update(summary.id, (current) => {
        const target = current.outbox.find((m) => m.id === message.id);
        if (target) Object.assign(target, patch);
        return current;
      });
    }
  }
  return sent;
}
