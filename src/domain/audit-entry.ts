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
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    prevHash: Hash,
    hash: Hash,
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntry>;
export type UnsealedAuditEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;
