import { z } from 'zod';
import { Slug } from '../../src/domain/primitives.js';
import type { Command } from '../../src/app/language/commands.js';
import { hookActorName, HookName } from './hook-actor.js';
import type { PersonId } from '../../src/domain/person-id.js';

/** POST /hooks/switch: a feature-flag system or deploy pipeline reports a guarded switch's state. */
export const SwitchHookBody = z
  .object({
    release: Slug,
    key: z.string({ message: 'must be the switch key, a string' }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be letters, digits, dot, dash or underscore (at most 64)'),
    state: z.enum(['on', 'off'], { message: 'must be "on" or "off"' }),
    source: HookName,
    actor: HookName.optional(),
  })
  .strict();
export type SwitchHookBody = z.infer<typeof SwitchHookBody>;

export function switchCommand(body: SwitchHookBody): { command: Command; text: string; actor: PersonId } {
  const actor = hookActorName(body.actor ?? body.source);
  return {
    command: { name: 'switch-set', key: body.key, state: body.state, source: body.source },
    text: `/release switch ${body.key} ${body.state} --source ${JSON.stringify(body.source)} --release ${body.release} (hook from ${body.actor ?? body.source})`,
    actor,
  };
}
