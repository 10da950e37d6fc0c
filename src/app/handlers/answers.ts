import type { Command } from '../commands.js';
import type { Decision, Response, Signoff } from '../../domain/release.js';
import { authorizeAnswer, authorizeDecision, authorizeSignoff } from '../authz.js';
import { UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { outcomeReply } from './result.js';
import { AlreadyRecorded } from '../change.js';
import { canonicalJson } from '../../domain/audit.js';
import { findCriterion } from './setup.js';
import { doneView } from '../../views/messages.js';
import { b, t, user } from '../../views/elements.js';
import { ANSWER_WORDS } from '../../views/format.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

/** Who gave an answer, for whom, from where and when: the same on every kind of answer. */
function givenBy(ctx: Ctx, onBehalfOf: string | undefined) {
  return { by: ctx.actor.id, ...(onBehalfOf && { onBehalfOf }), platform: ctx.actor.platform, at: ctx.now.toISOString() };
}

/** A double click or a retried request lands within this window. */
const REPEAT_WINDOW_MS = 60_000;

/**
 * The same person giving the same answer again within the window is one answer, not two: the
 * record stays as it is and they are told it is recorded.
 */
function sameAsLatest<T extends { by: string; at: string }>(latest: T | undefined, next: T, result: unknown): void {
  if (!latest || latest.by !== next.by) return;
  if (Date.parse(next.at) - Date.parse(latest.at) > REPEAT_WINDOW_MS) return;
  const { at: _a, platform: _p, ...a } = latest as T & { platform?: string };
  const { at: _b, platform: _q, ...b } = next as T & { platform?: string };
  if (canonicalJson(a) === canonicalJson(b)) throw new AlreadyRecorded(result);
}

export async function handleConfirm(ctx: Ctx, cmd: Of<'confirm'>): Promise<Reply[]> {
  const requested = cmd.for ? await ctx.user(cmd.for) : undefined;
  if (cmd.answer !== 'met' && !cmd.comment) throw new UserError(`Say why with a comment: a "${ANSWER_WORDS[cmd.answer]}" answer needs one.`);
  const outcome = await ctx.change(ctx.releaseId(), (release) => {
    const criterion = findCriterion(release, cmd.criterion);
    const { onBehalfOf } = authorizeAnswer(release, criterion, ctx.actor, requested);
    const response: Response = {
      answer: cmd.answer,
      ...(cmd.comment && { comment: cmd.comment }),
      evidence: cmd.evidence,
      ...givenBy(ctx, onBehalfOf),
    };
    sameAsLatest(criterion.responses.at(-1), response, { criterion, response });
    const before = criterion.responses.at(-1) ?? null;
    criterion.responses.push(response);
    return { before: { criterion: criterion.id, response: before }, after: { criterion: criterion.id, response }, result: { criterion, response } };
  });
  return outcomeReply(outcome, ({ criterion, response }) =>
    doneView('Answer recorded', t(`Recorded: criterion ${criterion.number} (${criterion.id}) `), b(ANSWER_WORDS[response.answer]), t(response.evidence.length > 0 ? `, with ${response.evidence.length} evidence link${response.evidence.length === 1 ? '' : 's'}.` : '.')),
  );
}

export async function handleSignoff(ctx: Ctx, cmd: Of<'signoff'>): Promise<Reply[]> {
  const requested = cmd.for ? await ctx.user(cmd.for) : undefined;
  const outcome = await ctx.change(ctx.releaseId(), (release) => {
    const group = release.groups.find((g) => g.id === cmd.group);
    if (!group) throw new UserError(`${release.name} has no review group "${cmd.group}". Its groups are: ${release.groups.map((g) => g.id).join(', ') || 'none'}.`);
    const { onBehalfOf } = authorizeSignoff(group, ctx.actor, requested);
    const signoff: Signoff = {
      verdict: cmd.verdict,
      ...(cmd.note && { note: cmd.note }),
      ...givenBy(ctx, onBehalfOf),
    };
    sameAsLatest(group.signoffs.at(-1), signoff, { group, signoff });
    group.signoffs.push(signoff);
    return { before: null, after: { group: group.id, signoff }, result: { group, signoff } };
  });
  return outcomeReply(outcome, ({ group, signoff }) =>
    doneView('Sign-off recorded', t(`Recorded: `), user(signoff.onBehalfOf ?? signoff.by), t(` ${signoff.verdict === 'agree' ? 'agrees' : 'disagrees'} for ${group.name}.`)),
  );
}

export async function handleDecide(ctx: Ctx, cmd: Of<'decide'>): Promise<Reply[]> {
  const requested = cmd.for ? await ctx.user(cmd.for) : undefined;
  const outcome = await ctx.change(ctx.releaseId(), (release) => {
    const { onBehalfOf } = authorizeDecision(release, ctx.actor, requested);
    const decision: Decision = {
      verdict: cmd.verdict,
      ...(cmd.note && { note: cmd.note }),
      ...givenBy(ctx, onBehalfOf),
    };
    sameAsLatest(release.decisions.at(-1), decision, decision);
    const before = release.decisions.at(-1) ?? null;
    release.decisions.push(decision);
    const words = cmd.verdict === 'go' ? 'GO' : 'NO-GO';
    return {
      before: { decision: before },
      after: { decision },
      outbox: release.channels.map((channel) => ({
        id: `decision:${release.id}:${decision.at}:${channel.platform}:${channel.id}`,
        kind: 'announcement' as const,
        channel,
        view: doneView(`${release.name}: ${release.approverRole} decided ${words}`, t(`${release.approverRole} decided `), b(words), t(' by '), user(decision.by), t(decision.note ? `: ${decision.note}` : '.')),
      })),
      result: decision,
    };
  });
  return outcomeReply(outcome, (d) => doneView('Decision recorded', t('Recorded: '), b(d.verdict === 'go' ? 'GO' : 'NO-GO'), t('. Run `/release status` to see the verdict.')));
}
