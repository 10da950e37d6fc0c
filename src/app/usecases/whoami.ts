import type { Command } from '../language/commands.js';
import type { Ctx } from '../context.js';
import { UserError, type Reply } from '../request.js';
import { reply } from './result.js';
import { doneView } from '../../views/messages.js';
import { b, people, t, user } from '../../views/elements.js';
import { LINK_CODE_TTL_MS } from '../../domain/identity-links.js';
import type { IdentityPort } from '../identity-port.js';

// Who golive takes you for, and linking your identities on two platforms. Links live in their own
// record (the identity record), not in any release's: they belong to a person, not a release.

const PLATFORM_NAMES: Record<string, string> = { slack: 'Slack', teams: 'Teams', console: 'the console' };

/** The clock read again for a request that waited behind another's write to the record. */
const refreshNow = (ctx: Ctx) => () => ctx.deps.clock.now();

function identities(ctx: Ctx): IdentityPort {
  const port = ctx.deps.identities;
  if (!port) throw new UserError('Linking identities is not available here: this golive keeps no identity record.');
  return port;
}

export async function handleWhoami(ctx: Ctx): Promise<Reply[]> {
  const me = ctx.actor.id;
  const reading = await ctx.deps.identities?.read();
  const linked = (reading?.aliases(me) ?? [me]).filter((id) => id !== me);
  const problem = reading?.problem;
  const blocks = [
    { type: 'paragraph' as const, content: [t('golive knows you here as '), user(me), t(` on ${PLATFORM_NAMES[ctx.actor.platform] ?? ctx.actor.platform}.`)] },
    linked.length > 0
      ? { type: 'paragraph' as const, content: [t('Linked, and counted as you: '), ...people(linked), t('. `whoami unlink <user>` undoes a link.')] }
      : { type: 'paragraph' as const, content: [t('No identity on another platform is linked to you. `whoami link` gives you a code to link one.')] },
    ...(problem ? [{ type: 'note' as const, content: [t(problem)] }] : []),
  ];
  return [reply({ title: 'Who you are', blocks })];
}

export async function handleWhoamiLink(ctx: Ctx, command: Extract<Command, { name: 'whoami-link' }>): Promise<Reply[]> {
  const port = identities(ctx);
  if (command.code === undefined) {
    const { code, expiresAt } = await port.issue(ctx.actor, ctx.now, refreshNow(ctx));
    const minutes = Math.round(LINK_CODE_TTL_MS / 60_000);
    return [
      reply(
        doneView(
          'Link code',
          t('Your one-time link code is '),
          b(code),
          t(
            `. On your other platform, send golive \`whoami link ${code}\` (with \`/release\` in Slack, or \`release\` in Teams) within ${minutes} minutes (until ${expiresAt.toISOString().slice(11, 16)} UTC). ` +
              'Anyone who types it links their identity with yours: keep it to yourself. Asking again replaces it.',
          ),
        ),
      ),
    ];
  }
  const other = await port.redeem(ctx.actor, command.code, ctx.now, refreshNow(ctx));
  return [
    reply(
      doneView(
        'Identities linked',
        t('Linked: golive now counts '),
        user(ctx.actor.id),
        t(' and '),
        user(other),
        t(' as one person. Roles, criteria, sign-offs and your to-do list recognise you on either.'),
      ),
    ),
  ];
}

export async function handleWhoamiUnlink(ctx: Ctx, command: Extract<Command, { name: 'whoami-unlink' }>): Promise<Reply[]> {
  const port = identities(ctx);
  const other = await ctx.user(command.user);
  await port.unlink(ctx.actor, other, ctx.now, refreshNow(ctx));
  return [reply(doneView('Identities unlinked', t('Unlinked: '), user(ctx.actor.id), t(' and '), user(other), t(' are two people to golive again.')))];
}
