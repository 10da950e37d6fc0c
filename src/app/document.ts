import { z } from 'zod';
import { Release } from '../domain/release.js';
import { AuditEntry } from '../domain/audit-entry.js';
import { Instant, Platform, UserId } from '../domain/primitives.js';
import { OutboxMessage } from './delivery/outbox-message.js';

// The outbox's message lives in delivery/, with its kinds and their renderers.
export { OutboxMessage };

/**
 * Refusals repeated by one person within a minute, counted beside the chain until the next write
 * seals them as one entry (see change.ts): a flood of refused attempts cannot grow the record.
 */
export const RefusalTally = z
  .object({
    actor: z.object({ id: UserId, platform: Platform }).strict(),
    command: z.string().max(300),
    reason: z.string().max(2000),
    first: Instant,
    last: Instant,
    count: z.number().int().positive(),
  })
  .strict();
export type RefusalTally = z.infer<typeof RefusalTally>;

export const DOCUMENT_VERSION = 1;

/** Everything about one release on disk: the release, its audit chain and its outbox. */
export const ReleaseDocument = z
  .object({
    version: z.literal(DOCUMENT_VERSION),
    release: Release,
    audit: z.array(AuditEntry),
    outbox: z.array(OutboxMessage).default([]),
    refusals: RefusalTally.optional(),
  })
  .strict();
export type ReleaseDocument = z.infer<typeof ReleaseDocument>;
