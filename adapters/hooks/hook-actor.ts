import { z } from 'zod';
import { qualify, type PersonId } from '../../src/domain/person-id.js';

/** Who sent a hook call, as the caller names it (a flag service, a pipeline, a tracker). */
export const HookName = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine((s) => !/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(s), 'must not hold control or text-direction characters');

/** The audit actor id of a hook call: `hook:` and the caller's name as a user-id-safe slug. */
export function hookActorName(name: string): PersonId {
  const slug = name
    .replace(/[^A-Za-z0-9._@-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|-+$/g, '')
    .slice(0, 100);
  return qualify('hook', slug || 'unnamed');
}
