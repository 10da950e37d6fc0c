import type { Command, Severity } from '../language/commands.js';
import type { Facts, Release } from '../../domain/release.js';
import { requireManagerOrHook } from './authz.js';
import { UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import type { ChangeEffect } from './change.js';
import { outcomeReply } from './result.js';
import { doneView } from '../../views/messages.js';
import type { FactsAlertParams } from '../delivery/outbox-message.js';
import { t } from '../../views/elements.js';
import { canonicalJson } from '../../domain/audit.js';
import { evaluateCore, type CriterionState } from '../../domain/readiness.js';

type FactsCommand = Extract<Command, { name: 'facts-defects' | 'facts-issues' | 'facts-phase' | 'facts-environment' | 'facts-update' }>;

interface Stamped {
  setAt: string;
  setBy: string;
  changedAt: string;
}

/** Sets a fact's value, moving `changedAt` only when the value really differs. */
function stamp<T extends object>(previous: (T & Stamped) | undefined, value: T, by: string, at: string): T & Stamped {
  const strip = (v: T & Stamped) => {
    const { setAt: _s, setBy: _b, changedAt: _c, ...rest } = v;
    return rest;
  };
  const same = previous !== undefined && canonicalJson(strip(previous)) === canonicalJson(value);
  return { ...value, setAt: at, setBy: by, changedAt: same ? previous.changedAt : at };
}

interface Part {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  said: string;
}

function setDefects(facts: Facts, counts: Partial<Record<Severity, number>>, plansGiven: boolean | undefined, by: string, at: string): Part {
  const before = facts.defects ?? null;
  const merged = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, ...before?.counts, ...counts };
  const plans = plansGiven ?? before?.plans;
  facts.defects = stamp(before ?? undefined, { counts: merged, ...(plans !== undefined && { plans }) }, by, at);
  const summary = ([1, 2, 3, 4, 5] as const).map((s) => `sev${s}=${merged[s]}`).join(' ');
  return {
    before: { defects: before },
    after: { defects: facts.defects },
    said: `Defects outstanding: ${summary}${plans === undefined ? '' : `, resolution plans ${plans ? 'in place' : 'not in place'}`}.`,
  };
}

function setIssues(facts: Facts, count: number, threshold: number, by: string, at: string): Part {
  const before = facts.testingIssues ?? null;
  facts.testingIssues = stamp(before ?? undefined, { count, threshold }, by, at);
  return { before: { testingIssues: before }, after: { testingIssues: facts.testingIssues }, said: `Testing issues: ${count} against a threshold of ${threshold}.` };
}

function setPhase(facts: Facts, name: string, closed: boolean, exitCriteriaMetGiven: boolean | undefined, by: string, at: string): Part {
  const index = facts.phases.findIndex((p) => p.name.toLowerCase() === name.toLowerCase());
  const before = index >= 0 ? facts.phases[index] : undefined;
  const exitCriteriaMet = closed && (exitCriteriaMetGiven ?? true);
  const phase = stamp(before, { name: before?.name ?? name, closed, exitCriteriaMet }, by, at);
  if (index >= 0) facts.phases[index] = phase;
  else facts.phases.push(phase);
  return { before: { phase: before ?? null }, after: { phase }, said: `Test phase ${phase.name}: ${closed ? `closed, exit criteria ${exitCriteriaMet ? 'met' : 'NOT met'}` : 'open'}.` };
}

function applyFacts(release: Release, cmd: FactsCommand, by: string, at: string): Part {
  const facts = release.facts;
  switch (cmd.name) {
    case 'facts-defects':
      return setDefects(facts, cmd.counts, cmd.plans, by, at);
    case 'facts-issues':
      return setIssues(facts, cmd.count, cmd.threshold, by, at);
    case 'facts-phase':
      if (cmd.state !== 'closed' && cmd.exitCriteriaMet !== undefined) throw new UserError('Exit criteria apply to a closed phase: write `facts phase <name> closed --exit-criteria met|not-met`.');
      return setPhase(facts, cmd.phase, cmd.state === 'closed', cmd.exitCriteriaMet, by, at);
    case 'facts-environment': {
      if (cmd.note.trim() === '') throw new UserError('Describe the environment alignment in the note.');
      const before = facts.environment ?? null;
      facts.environment = stamp(before ?? undefined, { note: cmd.note }, by, at);
      return { before: { environment: before }, after: { environment: facts.environment }, said: 'Environment alignment recorded.' };
    }
    case 'facts-update': {
      // Every part is applied to the one copy, so a hook's report lands in one write or not at all.
      const parts: Part[] = [];
      if (cmd.counts !== undefined || cmd.plans !== undefined) parts.push(setDefects(facts, cmd.counts ?? {}, cmd.plans, by, at));
      if (cmd.testingIssues !== undefined || cmd.threshold !== undefined) {
        const count = cmd.testingIssues ?? facts.testingIssues?.count;
        const threshold = cmd.threshold ?? facts.testingIssues?.threshold;
        if (count === undefined) throw new UserError('testingIssues: is required the first time a threshold is reported for this release.');
        if (threshold === undefined) throw new UserError('threshold: is required the first time testing issues are reported for this release.');
        parts.push(setIssues(facts, count, threshold, by, at));
      }
      for (const p of cmd.phases ?? []) parts.push(setPhase(facts, p.phase, p.closed, undefined, by, at));
      if (parts.length === 0) throw new UserError('Report at least one fact: defects, plans, testingIssues, threshold or phases.');
      return { before: Object.assign({}, ...parts.map((p) => p.before)), after: Object.assign({}, ...parts.map((p) => p.after)), said: parts.map((p) => p.said).join(' ') };
    }
  }
}

/** A criterion whose confirmation this change made stale, or whose rule it made fail: the facts alert's params. */
type Broken = FactsAlertParams['broken'][number];

function brokenBy(before: readonly CriterionState[], after: readonly CriterionState[]): Broken[] {
  const broken: Broken[] = [];
  for (const now of after) {
    const was = before.find((c) => c.criterion.id === now.criterion.id);
    if (!was) continue;
    if (now.rule?.state === 'fails' && was.rule?.state !== 'fails') broken.push({ criterion: now.criterion.id, cause: 'rule', reason: now.rule.reason.slice(0, 2000) });
    else if (now.stale && !was.stale && now.latest?.answer === 'met') broken.push({ criterion: now.criterion.id, cause: 'stale' });
  }
  return broken;
}

export async function handleFacts(ctx: Ctx, cmd: FactsCommand): Promise<Reply[]> {
  const at = ctx.now.toISOString();
  const by = ctx.actor.id;
  const outcome = await ctx.change(await ctx.releaseId(), (release): ChangeEffect<string> => {
    requireManagerOrHook(release, ctx.actor, 'record facts');
    const before = evaluateCore(release).criteria;
    const part = applyFacts(release, cmd, by, at);
    const broken = brokenBy(before, evaluateCore(release).criteria);
    // The owners learn in the channel that what they confirmed no longer stands, as the change is made.
    const outbox =
      broken.length === 0
        ? []
        : release.channels.map((channel) => ({
            id: `facts:${release.id}:${at}:${channel.platform}:${channel.id}`,
            kind: 'facts-alert' as const,
            to: { channel },
            params: { actor: { id: ctx.actor.id, platform: ctx.actor.platform }, broken },
          }));
    return { before: part.before, after: part.after, outbox, result: part.said };
  });
  return outcomeReply(outcome, (said) => doneView('Facts recorded', t(said)));
}
