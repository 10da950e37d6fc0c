import type { Command } from '../language/commands.js';
import { WITHDRAWN, type Response, type ReviewGroup, type Signoff } from '../../domain/release.js';
import { actingFor } from '../../domain/people.js';
import { authorizeWithdrawal } from './authz.js';
import { Refusal, UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { outcomeReply } from './result.js';
import { givenBy, sameAsLatest } from './answers.js';
import { findCriterion } from './setup.js';
import { doneView } from '../../views/messages.js';
import { t, user } from '../../views/elements.js';

// A withdrawal is appended to the history like any answer, never a deletion: the record keeps
// what was said and that it was taken back, by whom and when.

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

export async function handleWithdraw(ctx: Ctx, cmd: Of<'withdraw'>): Promise<Reply[]> {
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    const criterion = findCriterion(release, cmd.criterion);
    const name = `criterion ${criterion.number} (${criterion.id})`;
    const current = criterion.responses.at(-1);
    if (current?.answer === WITHDRAWN) {
      // The same withdrawal sent twice (a retried request) is one withdrawal.
      sameAsLatest(current, withdrawal(ctx, current.onBehalfOf ?? current.by, cmd.comment), { criterion, response: current });
    }
    if (!current || current.answer === WITHDRAWN) throw new UserError(`${name} has no answer to withdraw: it is waiting for one.`);
    const principal = current.onBehalfOf ?? current.by;
    authorizeWithdrawal(current, principal, ctx.actor, release.delegates, `the current answer to ${name}`);
    const response = withdrawal(ctx, principal, cmd.comment);
    criterion.responses.push(response);
    return { before: { criterion: criterion.id, response: current }, after: { criterion: criterion.id, response }, result: { criterion, response } };
  });
  return outcomeReply(outcome, ({ criterion, response }) =>
    doneView(
      'Answer withdrawn',
      t(`Withdrawn: the answer to criterion ${criterion.number} (${criterion.id})${response.onBehalfOf ? ' given for ' : ''}`),
      ...(response.onBehalfOf ? [user(response.onBehalfOf)] : []),
      t('. It waits for a new answer; the record keeps both.'),
    ),
  );
}

function withdrawal(ctx: Ctx, principal: string, comment: string | undefined): Response {
  return { answer: WITHDRAWN, ...(comment && { comment }), evidence: [], ...givenBy(ctx, principal === ctx.actor.id ? undefined : principal) };
}

export async function handleSignoffWithdraw(ctx: Ctx, cmd: Of<'signoff-withdraw'>): Promise<Reply[]> {
  const requested = cmd.for ? await ctx.user(cmd.for) : undefined;
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    const group = release.groups.find((g) => g.id === cmd.group);
    if (!group) throw new UserError(`${release.name} has no review group "${cmd.group}". Its groups are: ${release.groups.map((g) => g.id).join(', ') || 'none'}.`);
    const member = requested ?? whoseSignoff(group, ctx.actor.id);
    const current = latestOf(group, member);
    if (current?.verdict === WITHDRAWN) sameAsLatest(current, signoffWithdrawal(ctx, member, cmd.note), { group, signoff: current });
    if (!current || current.verdict === WITHDRAWN) throw new UserError(`${member === ctx.actor.id ? 'You have' : `@${member} has`} no sign-off for ${group.name} to withdraw.`);
    authorizeWithdrawal(current, member, ctx.actor, group.delegates, `this sign-off for ${group.name}`);
    const signoff = signoffWithdrawal(ctx, member, cmd.note);
    group.signoffs.push(signoff);
    return { before: { group: group.id, signoff: current }, after: { group: group.id, signoff }, result: { group, signoff } };
  });
  return outcomeReply(outcome, ({ group, signoff }) =>
    doneView(
      'Sign-off withdrawn',
      t('Withdrawn: the sign-off of '),
      user(signoff.onBehalfOf ?? signoff.by),
      t(` for ${group.name}. ${group.name} waits for them to sign again; the record keeps both.`),
    ),
  );
}

function signoffWithdrawal(ctx: Ctx, member: string, note: string | undefined): Signoff {
  return { verdict: WITHDRAWN, ...(note && { note }), ...givenBy(ctx, member === ctx.actor.id ? undefined : member) };
}

function latestOf(group: ReviewGroup, member: string): Signoff | undefined {
  return group.signoffs.filter((s) => (s.onBehalfOf ?? s.by) === member).at(-1);
}

/**
 * The member whose sign-off the actor withdraws: their own, else the one member they signed for
 * or stand in for. Someone with no part in the group is refused; a delegate for several says whom.
 */
function whoseSignoff(group: ReviewGroup, actor: string): string {
  const related = actingFor(actor, group.members, group.delegates);
  const signedFor = group.members.filter((m) => {
    const s = latestOf(group, m);
    return s !== undefined && s.verdict !== WITHDRAWN && actingFor(actor, [s.by, ...(s.onBehalfOf ? [s.onBehalfOf] : [])], group.delegates).length > 0;
  });
  if (signedFor.includes(actor)) return actor;
  if (signedFor.length === 1) return signedFor[0]!;
  if (signedFor.length > 1) throw new UserError(`You can withdraw the sign-offs of ${signedFor.map((m) => `@${m}`).join(', ')} for ${group.name}: say whose with --for.`);
  if (related.length === 0) throw new Refusal(`Only the members of ${group.name} who signed, or their delegates, can withdraw a sign-off for it.`);
  return related.includes(actor) ? actor : related[0]!;
}
