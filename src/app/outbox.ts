import type { Platform } from '../domain/primitives.js';
import { RetryLater, type ChatPort } from './chat-port.js';
import type { OutboxMessage } from './document.js';
import type { Store } from './store-port.js';
import type { Clock } from './clock.js';

export type ChatPorts = Partial<Record<Platform, ChatPort>>;

const MAX_ATTEMPTS = 8;

/** Retry after 2, 4, 8 … seconds, capped at ten minutes. */
export function backoff(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** attempts);
}

const isDue = (m: OutboxMessage, now: Date) => m.status === 'pending' && (m.nextAttemptAt === undefined || Date.parse(m.nextAttemptAt) <= now.getTime());

/**
 * Sends every pending message that is due. A message is marked sent, with the platform's id for
 * it, in a durable write right after the platform accepted it; an edit waits until the message it
 * edits has been sent. Call it through an OutboxWorker so two runs never overlap.
 */
export async function deliverDue(store: Store, ports: ChatPorts, now: Date): Promise<number> {
  let sent = 0;
  for (const summary of store.list()) {
    const doc = store.get(summary.id);
    // A quarantined record is never written, so its messages wait until it is restored.
    if (!doc || store.quarantine(summary.id)) continue;
    for (const message of doc.outbox.filter((m) => isDue(m, now))) {
      const port = ports[message.channel.platform];
      if (!port) continue;
      // Read the current document again: an earlier delivery in this loop may have changed it.
      const current = store.get(summary.id)?.outbox ?? [];
      const latest = current.find((m) => m.id === message.id);
      if (!latest || !isDue(latest, now)) continue;
      let patch: Partial<OutboxMessage>;
      try {
        if (latest.kind === 'checklist-update') {
          const post = current.find((m) => m.id === latest.updates);
          if (!post || post.status === 'failed' || post.superseded) {
            patch = { status: 'failed', lastError: 'the checklist it edits was never posted or has been replaced' };
          } else if (post.status !== 'sent' || !post.messageRef) {
            continue;
          } else {
            await port.update(latest.channel, post.messageRef, latest.view);
            patch = { status: 'sent', sentAt: now.toISOString(), attempts: latest.attempts + 1 };
            sent += 1;
          }
        } else {
          const { ref } = await port.post(latest.channel, latest.view, latest.id);
          patch = { status: 'sent', sentAt: now.toISOString(), messageRef: ref, attempts: latest.attempts + 1 };
          sent += 1;
        }
      } catch (error) {
        patch = failure(latest, error, now);
      }
      const deliveredView = latest.view;
      await store.update(summary.id, (doc) => {
        const target = doc.outbox.find((m) => m.id === message.id);
        if (!target) return doc;
        // A checklist that changed while it was being sent must still show its newest state.
        const changedInFlight = patch.status === 'sent' && JSON.stringify(target.view) !== JSON.stringify(deliveredView);
        if (changedInFlight && target.kind === 'checklist-update') {
          Object.assign(target, { attempts: patch.attempts });
          return doc;
        }
        Object.assign(target, patch);
        if (changedInFlight && target.kind === 'checklist') {
          doc.outbox.push({ id: `${target.id}:update:${doc.audit.length}`, kind: 'checklist-update', channel: target.channel, view: target.view, createdAt: now.toISOString(), status: 'pending', attempts: 0, updates: target.id });
        }
        return doc;
      });
    }
  }
  return sent;
}

function failure(message: OutboxMessage, error: unknown, now: Date): Partial<OutboxMessage> {
  const attempts = message.attempts + 1;
  const lastError = String(error instanceof Error ? error.message : error).slice(0, 2000);
  if (!(error instanceof RetryLater) || attempts >= MAX_ATTEMPTS) return { status: 'failed', attempts, lastError };
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
  ) {}

  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await deliverDue(this.store, this.ports, this.clock.now());
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
