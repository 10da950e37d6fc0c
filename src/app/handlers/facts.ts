import type { Command } from '../commands.js';
import type { Facts } from '../../domain/release.js';
import { requireManager } from '../authz.js';
import { UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { outcomeReply } from './result.js';
import { doneView } from '../../views/messages.js';
import { t } from '../../views/elements.js';
import { canonicalJson } from '../../domain/audit.js';

type FactsCommand = Extract<Command, { name: 'facts-defects' | 'facts-issues' | 'facts-phase' | 'facts-environment' }>;

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

export async function handleFacts(ctx: Ctx, cmd: FactsCommand): Promise<Reply[]> {
  const at = ctx.now.toISOString();
  const by = ctx.actor.id;
  const outcome = await ctx.change(ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'record facts');
    const facts: Facts = release.facts;
    switch (cmd.name) {
      case 'facts-defects': {
        const before = facts.defects ?? null;
        const counts = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, ...before?.counts, ...cmd.counts };
        const plans = cmd.plans ?? before?.plans;
        facts.defects = stamp(before ?? undefined, { counts, ...(plans !== undefined && { plans }) }, by, at);
        const summary = ([1, 2, 3, 4, 5] as const).map((s) => `sev${s}=${counts[s]}`).join(' ');
        return { before: { defects: before }, after: { defects: facts.defects }, result: `Defects outstanding: ${summary}${plans === undefined ? '' : `, resolution plans ${plans ? 'in place' : 'not in place'}`}.` };
      }
      case 'facts-issues': {
        const before = facts.testingIssues ?? null;
        facts.testingIssues = stamp(before ?? undefined, { count: cmd.count, threshold: cmd.threshold }, by, at);
        return { before: { testingIssues: before }, after: { testingIssues: facts.testingIssues }, result: `Testing issues: ${cmd.count} against a threshold of ${cmd.threshold}.` };
      }
      case 'facts-phase': {
        const index = facts.phases.findIndex((p) => p.name.toLowerCase() === cmd.phase.toLowerCase());
        const before = index >= 0 ? facts.phases[index] : undefined;
        const closed = cmd.state === 'closed';
        const exitCriteriaMet = closed && (cmd.exitCriteriaMet ?? true);
        if (!closed && cmd.exitCriteriaMet !== undefined) throw new UserError('Exit criteria apply to a closed phase: write `facts phase <name> closed --exit-criteria met|not-met`.');
        const phase = stamp(before, { name: before?.name ?? cmd.phase, closed, exitCriteriaMet }, by, at);
        if (index >= 0) facts.phases[index] = phase;
        else facts.phases.push(phase);
        return { before: { phase: before ?? null }, after: { phase }, result: `Test phase ${phase.name}: ${closed ? `closed, exit criteria ${exitCriteriaMet ? 'met' : 'NOT met'}` : 'open'}.` };
      }
      case 'facts-environment': {
        if (cmd.note.trim() === '') throw new UserError('Describe the environment alignment in the note.');
        const before = facts.environment ?? null;
        facts.environment = stamp(before ?? undefined, { note: cmd.note }, by, at);
        return { before: { environment: before }, after: { environment: facts.environment }, result: 'Environment alignment recorded.' };
      }
    }
  });
  return outcomeReply(outcome, (said) => doneView('Facts recorded', t(said)));
}
