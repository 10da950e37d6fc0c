import { requireManager } from './authz.js';
import { UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { outcomeReply } from './result.js';
import { doneView } from '../../views/messages.js';
import { t } from '../../views/elements.js';

/**
 * Posts the checklist to every channel the release is linked to. A newer checklist in a channel
 * supersedes the older one there, so only one message per channel is kept current.
 */
export async function handleAsk(ctx: Ctx): Promise<Reply[]> {
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'ask for answers');
    if (release.channels.length === 0) throw new UserError(`${release.name} is not linked to any channel: run \`/release link --release ${release.id}\` in its channel first.`);
    return {
      before: null,
      after: { asked: release.channels },
      outbox: release.channels.map((channel) => ({
        id: `checklist:${release.id}:${channel.platform}:${channel.id}:${ctx.now.toISOString()}`,
        kind: 'checklist' as const,
        to: { channel },
        // Rendered when it is delivered, with the checklist as it is then.
        params: {},
      })),
      result: release.channels.length,
    };
  });
  return outcomeReply(outcome, (n) => doneView('Checklist on its way', t(`Posting the checklist to ${n} channel${n === 1 ? '' : 's'}; it updates in place as answers come in.`)));
}
