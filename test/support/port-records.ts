import type { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import type { RefusalTally } from '../../src/app/refusal-tally.js';
import { sealEntry, stateHashOf } from '../../src/domain/audit.js';
import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Channel, Release } from '../../src/domain/release.js';
import { minimalRelease } from '../fixtures/release-doc.js';

// Small records for tests of the Store port and its implementations: a valid release, entries
// sealed after a head (each sealing a state), outbox messages, refusal tallies.

export const CREATED = '2019-11-01T09:00:00.000Z';
export const ACTOR = { id: 'console:tester', platform: 'console' } as const;

export const later = (minutes: number) => new Date(Date.parse(CREATED) + minutes * 60_000).toISOString();

export function release(id: string, overrides: Partial<Release> = {}): Release {
  return minimalRelease(id, overrides);
}

/** An entry sealed after `head`, sealing `state`. */
export function entryAfter(head: AuditEntry | undefined, state: Release, fields: Partial<Pick<AuditEntry, 'at' | 'command' | 'request' | 'before' | 'after'>> = {}): AuditEntry {
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

export function tally(count: number): RefusalTally {
  return { actor: ACTOR, command: '/release confirm 1 met', reason: 'not an owner', first: later(1), last: later(1 + count), count };
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
