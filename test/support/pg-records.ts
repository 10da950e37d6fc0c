import type { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { sealEntry, stateHashOf } from '../../src/domain/audit.js';
import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Channel, Release } from '../../src/domain/release.js';
import { minimalRelease } from '../fixtures/release-doc.js';

// Small records for the PostgreSQL store's own tests: a valid release, entries sealed after a
// head (each sealing a state), outbox messages.

export const CREATED = '2019-11-01T09:00:00.000Z';
const ACTOR = { id: 'console:tester', platform: 'console' } as const;

export const later = (minutes: number) => new Date(Date.parse(CREATED) + minutes * 60_000).toISOString();

export function release(id: string, overrides: Partial<Release> = {}): Release {
  return minimalRelease(id, overrides);
}

/** An entry sealed after `head`, sealing `state`. */
export function entryAfter(head: AuditEntry | undefined, state: Release, fields: Partial<Pick<AuditEntry, 'at' | 'command' | 'request'>> = {}): AuditEntry {
  return sealEntry(head ? [head] : [], { at: head?.at ?? CREATED, actor: ACTOR, command: 'test', outcome: 'applied', ...fields, stateHash: stateHashOf(state) });
}

export function message(id: string, overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id,
    kind: 'checklist',
    to: { channel: { platform: 'slack', id: 'C-outbox' } },
    params: {},
    createdAt: CREATED,
    status: 'pending',
    attempts: 0,
    ...overrides,
  } as OutboxMessage;
}

export const slack = (id: string): Channel => ({ platform: 'slack', id });

/** Resolves with what `promise` rejected with; fails if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
