import type { Command } from '../language/commands.js';
import { requireManager } from './authz.js';
import { selvesOf, UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { outcomeReply, reply } from './result.js';
import { doneView } from '../../views/messages.js';
import { t } from '../../views/elements.js';
import { implementationInstant, timeLeft } from '../../domain/calendar.js';
import { OUTCOME_WORDS } from '../../domain/outcome.js';
import type { Outcome } from '../../domain/release.js';
import { implementationText } from '../../views/format.js';
import { todoViewFor } from './todo.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

/**
 * Ends a release with its outcome. It can be cancelled at any time, but it can only have gone
 * live or been rolled back once its implementation time has come.
 */
export async function handleClose(ctx: Ctx, cmd: Of<'close'>): Promise<Reply[]> {
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'close the release');
    const due = implementationInstant(release.implementation);
    if (cmd.result !== 'cancelled' && ctx.now.getTime() < due.getTime()) {
      throw new UserError(
        `${release.name} is due at ${implementationText(release.implementation)}, in ${timeLeft(ctx.now, due)}: it cannot have ${cmd.result === 'went-live' ? 'gone live' : 'been rolled back'} yet. ` +
          'Close it then, or close it as cancelled if it will not happen.',
      );
    }
    const recorded: Outcome = { result: cmd.result, ...(cmd.note !== undefined && { note: cmd.note }), by: ctx.actor.id, platform: ctx.actor.platform, at: ctx.now.toISOString() };
    release.outcome = recorded;
    return {
      before: { outcome: null },
      after: { outcome: recorded },
      outbox: release.channels.map((channel) => ({
        id: `closed:${release.id}:${recorded.at}:${channel.platform}:${channel.id}`,
        kind: 'closed' as const,
        to: { channel },
        params: {},
      })),
      result: recorded,
    };
  });
  return outcomeReply(outcome, (recorded) =>
    doneView('Release closed', t(`Closed as ${OUTCOME_WORDS[recorded.result]}. The release takes no more answers or changes; \`/release report\` gives the paper with its outcome.`)),
  );
}

export async function handleTodo(ctx: Ctx): Promise<Reply[]> {
  return [reply(await todoViewFor(ctx.store, selvesOf(ctx.actor), ctx.now))];
}
