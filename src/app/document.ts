import { z } from 'zod';
import { Channel, Release } from '../domain/release.js';
import { AuditEntry } from '../domain/audit-entry.js';
import { Instant, Platform, UserId } from '../domain/primitives.js';
import { View } from '../views/elements.js';

// A message the app has decided to send. It is written in the same document (so the same atomic
// write) as the change that caused it; its id is the idempotency key that keeps delivery to once.
export const OutboxMessage = z
  .object({
    id: z.string().min(1).max(300),
    /** A checklist is posted once and then kept current by `checklist-update`s that edit it in place. */
    kind: z.enum(['announcement', 'alert', 'checklist', 'checklist-update']),
    channel: Channel,
    view: View,
    createdAt: Instant,
    status: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number().int().min(0),
    nextAttemptAt: Instant.optional(),
    sentAt: Instant.optional(),
    lastError: z.string().max(2000).optional(),
    messageRef: z.string().max(300).optional(),
    /** For a checklist-update: the id of the checklist message it edits. */
    updates: z.string().max(300).optional(),
    /** A checklist replaced by a newer one in the same channel is no longer kept current. */
    superseded: z.boolean().optional(),
  })
  .strict();
export type OutboxMessage = z.infer<typeof OutboxMessage>;

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
