import { z } from 'zod';
import { Instant, Platform, UserId } from '../domain/primitives.js';

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
