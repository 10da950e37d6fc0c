import type { Command } from '../language/commands.js';
import type { Decision, Release, Response, Signoff } from '../../domain/release.js';
import { evaluate, signoffStaleReason, staleReason } from '../../domain/readiness.js';
import { stateFingerprint } from '../../domain/fingerprint.js';
import { authorizeAnswer, authorizeDecision, authorizeSignoff } from './authz.js';
import { Refusal, UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { outcomeReply } from './result.js';
import { AlreadyRecorded } from './change.js';
import { canonicalJson } from '../../domain/audit.js';
import { findCriterion } from './setup.js';
import { doneView } from '../../views/messages.js';
import { b, t, user } from '../../views/elements.js';
import { ANSWER_WORDS } from '../../views/format.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

/** Who gave an answer, for whom, from where and when: the same on every kind of answer. */
export function givenBy(ctx: Ctx, onBehalfOf: string | undefined) {
  return { by: ctx.actor.id, ...(onBehalfOf && { onBehalfOf }), platform: ctx.actor.platform, at: ctx.now.toISOString() };
}

/** A double click or a retried request lands within this window. */
const REPEAT_WINDOW_MS = 60_000;

/**
 * The same person giving the same answer again within the window is one answer, not two: the
 * record stays as it is and they are told it is recorded.
 */
export function sameAsLatest<T extends { by: string; at: string }>(latest: T | undefined, next: T, result: unknown): void {
  if (!latest || latest.by !== next.by) return;
  if (Date.parse(next.at) - Date.parse(latest.at) > REPEAT_WINDOW_MS) return;
  const { at: _a, platform: _p, ...a } = latest as T & { platform?: string };
  const { at: _b, platform: _q, ...b } = next as T & { platform?: string };
  if (canonicalJson(a) === canonicalJson(b)) throw new AlreadyRecorded(result);
}

export async function handleConfirm(ctx: Ctx, cmd: Of<'confirm'>): Promise<Reply[]> {
  const requested = cmd.for ? await ctx.user(cmd.for) : undefined;
  if (cmd.answer !== 'met' && !cmd.comment) throw new UserError(`Say why with a comment: a "${ANSWER_WORDS[cmd.answer]}" answer needs one.`);
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    const criterion = findCriterion(release, cmd.criterion);
    const { onBehalfOf } = authorizeAnswer(release, criterion, ctx.actor, requested);
    const response: Response = {
      answer: cmd.answer,
      ...(cmd.comment && { comment: cmd.comment }),
      evidence: cmd.evidence,
      ...givenBy(ctx, onBehalfOf),
    };
    // Giving the same answer again once the earlier one went stale is a new confirmation, not a repeat.
    const latest = criterion.responses.at(-1);
    if (latest && !staleReason(release, criterion, latest)) sameAsLatest(latest, response, { criterion, response });
    const before = criterion.responses.at(-1) ?? null;
    criterion.responses.push(response);
    return { before: { criterion: criterion.id, response: before }, after: { criterion: criterion.id, response }, result: { criterion, response } };
  });
  return outcomeReply(outcome, ({ criterion, response }) =>
    doneView(
      'Answer recorded',
      t(`Recorded: criterion ${criterion.number} (${criterion.id}) `),
      b(ANSWER_WORDS[response.answer]),
      t(response.evidence.length > 0 ? `, with ${response.evidence.length} evidence link${response.evidence.length === 1 ? '' : 's'}.` : '.'),
    ),
  );
}

export async function handleSignoff(ctx: Ctx, cmd: Of<'signoff'>): Promise<Reply[]> {
  const requested = cmd.for ? await ctx.user(cmd.for) : undefined;
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    const group = release.groups.find((g) => g.id === cmd.group);
    if (!group) throw new UserError(`${release.name} has no review group "${cmd.group}". Its groups are: ${release.groups.map((g) => g.id).join(', ') || 'none'}.`);
    const { onBehalfOf } = authorizeSignoff(group, ctx.actor, requested);
    const signoff: Signoff = {
      verdict: cmd.verdict,
      ...(cmd.note && { note: cmd.note }),
      ...givenBy(ctx, onBehalfOf),
    };
    const latest = group.signoffs.at(-1);
    if (latest && !signoffStaleReason(release, group, latest, group.signoffs.length - 1)) sameAsLatest(latest, signoff, { group, signoff });
    group.signoffs.push(signoff);
    return { before: null, after: { group: group.id, signoff }, result: { group, signoff } };
  });
  return outcomeReply(outcome, ({ group, signoff }) =>
    doneView('Sign-off recorded', t(`Recorded: `), user(signoff.onBehalfOf ?? signoff.by), t(` ${signoff.verdict === 'agree' ? 'agrees' : 'disagrees'} for ${group.name}.`)),
  );
}

export async function handleDecide(ctx: Ctx, cmd: Of<'decide'>): Promise<Reply[]> {
  const requested = cmd.for ? await ctx.user(cmd.for) : undefined;
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    const { onBehalfOf } = authorizeDecision(release, ctx.actor, requested);
    if (cmd.verdict === 'go') requireNothingElseBlocks(release, ctx.now, cmd.override);
    const decision: Decision = {
      verdict: cmd.verdict,
      ...(cmd.note && { note: cmd.note }),
      ...(cmd.override && { override: cmd.override }),
      basis: stateFingerprint(release),
      ...givenBy(ctx, onBehalfOf),
    };
    sameAsLatest(release.decisions.at(-1), decision, decision);
    const before = release.decisions.at(-1) ?? null;
    release.decisions.push(decision);
    // What an override went over is counted now: by delivery the release may have changed.
    const params = { index: release.decisions.length - 1, ...(decision.override && { openBlockers: otherBlockers(release, ctx.now).length }) };
    return {
      before: { decision: before },
      after: { decision },
      outbox: release.channels.map((channel) => ({
        id: `decision:${release.id}:${decision.at}:${channel.platform}:${channel.id}`,
        kind: 'decision' as const,
        to: { channel },
        params,
      })),
      result: decision,
    };
  });
  return outcomeReply(outcome, (d) => doneView('Decision recorded', t('Recorded: '), b(decisionWords(d)), t('. Run `/release status` to see the verdict.')));
}

const decisionWords = (d: Decision) => (d.verdict === 'no-go' ? 'NO-GO' : d.override ? 'GO (override)' : 'GO');

const otherBlockers = (release: Release, now: Date) => evaluate(release, now).blockers.filter((b) => b.kind !== 'decision');

const SHOWN_BLOCKERS = 5;

/**
 * GO over open blockers is refused (and audited) unless the approver overrides them with a
 * reason, which every view then shows; an override with nothing to override is a mistake.
 */
function requireNothingElseBlocks(release: Release, now: Date, override: string | undefined): void {
  const blockers = otherBlockers(release, now);
  if (blockers.length === 0) {
    if (override !== undefined) throw new UserError('Nothing else blocks this release: decide go without --override.');
    return;
  }
  if (override !== undefined) return;
  const shown = blockers.slice(0, SHOWN_BLOCKERS).map((b, i) => `${i + 1}. ${b.failed ? 'FAILED ' : ''}${b.what}`);
  const more = blockers.length > SHOWN_BLOCKERS ? ` … and ${blockers.length - SHOWN_BLOCKERS} more` : '';
  throw new Refusal(
    `GO refused: ${blockers.length} thing${blockers.length === 1 ? '' : 's'} still block${blockers.length === 1 ? 's' : ''} ${release.name}: ${shown.join(' · ')}${more}. ` +
      'Clear them first, or decide go --override "<reason>" to go ahead regardless; the override and your reason are shown with the verdict.',
  );
}
