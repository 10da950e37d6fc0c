import { z } from 'zod';
import { Instant, Platform, UserId } from './primitives.js';

const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');
export const GENESIS_HASH = '0'.repeat(64);

export const AuditEntry = z
  .object({
    seq: z.number().int().positive(),
    at: Instant,
    actor: z.object({ id: UserId, platform: Platform }).strict(),
    command: z.string().max(4000),
    outcome: z.enum(['applied', 'refused']),
    reason: z.string().max(2000).optional(),
    /** How many refused attempts this entry stands for (a flood is counted, not stored N times). */
    count: z.number().int().min(2).optional(),
    /** The platform request this entry answers (inbox id), so a replay after a crash applies once. */
    request: z.string().min(1).max(200).optional(),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    /** sha256 of the release state after this entry: the chain covers the state, not only its history. */
    stateHash: Hash.optional(),
    /** Sealed with HMAC-SHA256 under GOLIVE_AUDIT_KEY rather than plain sha256. */
    keyed: z.literal(true).optional(),
    prevHash: Hash,
    hash: Hash,
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntry>;
export type UnsealedAuditEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;
