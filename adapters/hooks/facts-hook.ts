import { z } from 'zod';
import { Slug } from '../../src/domain/primitives.js';
import type { Command, Severity } from '../../src/app/language/commands.js';
import { hookActorName, HookName } from './hook-actor.js';
import type { PersonId } from '../../src/domain/person-id.js';

const count = z
  .number({ message: 'must be a whole number of 0 or more' })
  .int('must be a whole number of 0 or more')
  .min(0, 'must be a whole number of 0 or more')
  .max(1_000_000, 'must be at most 1000000');

/** POST /hooks/facts: a defect tracker or CI keeps the facts current. Each part is optional. */
export const FactsHookBody = z
  .object({
    release: Slug,
    defects: z
      .object(
        { sev1: count.optional(), sev2: count.optional(), sev3: count.optional(), sev4: count.optional(), sev5: count.optional() },
        { message: 'must be an object such as {"sev1": 0, "sev2": 3}' },
      )
      .strict()
      .optional(),
    plans: z.boolean({ message: 'must be true or false' }).optional(),
    testingIssues: count.optional(),
    threshold: count.optional(),
    phases: z
      .array(
        z
          .object(
            {
              name: z.string({ message: 'must be the phase name, a string' }).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
              closed: z.boolean({ message: 'must be true or false' }),
            },
            { message: 'must be an object such as {"name": "SIT", "closed": true}' },
          )
          .strict(),
        { message: 'must be a list of {"name", "closed"}' },
      )
      .max(50, 'must list at most 50 phases')
      .optional(),
    source: HookName.optional(),
    actor: HookName.optional(),
  })
  .strict()
  .refine((b) => b.defects !== undefined || b.plans !== undefined || b.testingIssues !== undefined || b.threshold !== undefined || (b.phases !== undefined && b.phases.length > 0), {
    message: 'must report at least one of defects, plans, testingIssues, threshold, phases',
    path: ['body'],
  });
export type FactsHookBody = z.infer<typeof FactsHookBody>;

export function factsCommand(body: FactsHookBody): { command: Command; text: string; actor: PersonId } {
  const from = body.actor ?? body.source ?? 'facts';
  const counts: Partial<Record<Severity, number>> = {};
  const words: string[] = [];
  for (const s of [1, 2, 3, 4, 5] as const) {
    const n = body.defects?.[`sev${s}`];
    if (n !== undefined) {
      counts[s] = n;
      words.push(`sev${s}=${n}`);
    }
  }
  if (body.plans !== undefined) words.push(`plans=${body.plans ? 'yes' : 'no'}`);
  if (body.testingIssues !== undefined) words.push(`testing-issues=${body.testingIssues}`);
  if (body.threshold !== undefined) words.push(`threshold=${body.threshold}`);
  for (const p of body.phases ?? []) words.push(`phase ${JSON.stringify(p.name)} ${p.closed ? 'closed' : 'open'}`);
  const command: Command = {
    name: 'facts-update',
    ...(body.defects !== undefined && { counts }),
    ...(body.plans !== undefined && { plans: body.plans }),
    ...(body.testingIssues !== undefined && { testingIssues: body.testingIssues }),
    ...(body.threshold !== undefined && { threshold: body.threshold }),
    ...(body.phases !== undefined && { phases: body.phases.map((p) => ({ phase: p.name, closed: p.closed })) }),
  };
  const source = body.source ? ` --source ${JSON.stringify(body.source)}` : '';
  return { command, text: `/release facts ${words.join(' ')}${source} --release ${body.release} (hook from ${from})`, actor: hookActorName(from) };
}
