import type { Facts } from './release.js';
import type { FactName, Rule } from './rule.js';

export type RuleState = 'holds' | 'fails' | 'pending';
export interface RuleResult {
  state: RuleState;
  /** Why, in words a release manager reads in the status card. */
  reason: string;
  /** When the facts behind a failure last changed: the "since" of the blocker. */
  since?: string;
}

/** The facts a rule reads: an answer given before one of them last changed is stale. */
export function factsRead(rule: Rule): FactName[] {
  switch (rule.kind) {
    case 'no-defects':
    case 'defect-plans':
      return ['defects'];
    case 'testing-issues-within-threshold':
      return ['testingIssues'];
    case 'test-phases-closed':
      return ['phases'];
    case 'environment-noted':
      return ['environment'];
    case 'all':
      return [...new Set(rule.rules.flatMap(factsRead))];
  }
}

/** When a fact's value last changed, if it was ever set. */
export function factChangedAt(facts: Facts, name: FactName): string | undefined {
  if (name === 'phases') return latest(facts.phases.map((p) => p.changedAt));
  return facts[name]?.changedAt;
}

export function latest(instants: Array<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const at of instants) if (at !== undefined && (best === undefined || Date.parse(at) > Date.parse(best))) best = at;
  return best;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function evaluateRule(rule: Rule, facts: Facts): RuleResult {
  switch (rule.kind) {
    case 'no-defects': {
      const d = facts.defects;
      if (!d) return { state: 'pending', reason: 'defect figures not recorded yet' };
      const outstanding = rule.severities.filter((s) => d.counts[s] > 0);
      if (outstanding.length === 0) return { state: 'holds', reason: `no severity ${rule.severities.join('/')} defects outstanding` };
      return {
        state: 'fails',
        reason: outstanding.map((s) => `${plural(d.counts[s], `severity ${s} defect`)} outstanding`).join(', '),
        since: d.changedAt,
      };
    }
    case 'defect-plans': {
      const d = facts.defects;
      if (!d) return { state: 'pending', reason: 'defect figures not recorded yet' };
      const count = rule.severities.reduce((sum, s) => sum + d.counts[s], 0);
      if (count === 0) return { state: 'holds', reason: `no severity ${rule.severities.join('/')} defects outstanding` };
      if (d.plans === true) return { state: 'holds', reason: `resolution plan in place for ${plural(count, 'defect')}` };
      const defects = plural(count, `severity ${rule.severities.join('/')} defect`);
      // "No plans" is an answer, and a failing one; only figures recorded without a word on plans wait.
      if (d.plans === false) return { state: 'fails', reason: `no resolution plan for ${defects}`, since: d.changedAt };
      return { state: 'pending', reason: `no resolution plan recorded yet for ${defects}` };
    }
    case 'testing-issues-within-threshold': {
      const i = facts.testingIssues;
      if (!i) return { state: 'pending', reason: 'testing issues not recorded yet' };
      if (i.count <= i.threshold) return { state: 'holds', reason: `${plural(i.count, 'testing issue')}, within the threshold of ${i.threshold}` };
      return { state: 'fails', reason: `${plural(i.count, 'testing issue')}, over the threshold of ${i.threshold}`, since: i.changedAt };
    }
    case 'test-phases-closed': {
      if (facts.phases.length === 0) return { state: 'pending', reason: 'no test phases recorded yet' };
      const open = facts.phases.filter((p) => !p.closed).map((p) => p.name);
      if (open.length > 0) return { state: 'pending', reason: `test phase${open.length === 1 ? '' : 's'} still open: ${open.join(', ')}` };
      const unmet = facts.phases.filter((p) => !p.exitCriteriaMet);
      if (unmet.length > 0) {
        return {
          state: 'fails',
          reason: `closed without meeting exit criteria: ${unmet.map((p) => p.name).join(', ')}`,
          since: latest(unmet.map((p) => p.changedAt)),
        };
      }
      return { state: 'holds', reason: `all ${plural(facts.phases.length, 'test phase')} closed against exit criteria` };
    }
    case 'environment-noted':
      return facts.environment ? { state: 'holds', reason: 'environment alignment recorded' } : { state: 'pending', reason: 'environment alignment not recorded yet' };
    case 'all': {
      const results = rule.rules.map((r) => evaluateRule(r, facts));
      const failed = results.filter((r) => r.state === 'fails');
      if (failed.length > 0) return { state: 'fails', reason: failed.map((r) => r.reason).join('; '), since: latest(failed.map((r) => r.since)) };
      const pending = results.filter((r) => r.state === 'pending');
      if (pending.length > 0) return { state: 'pending', reason: pending.map((r) => r.reason).join('; ') };
      return { state: 'holds', reason: results.map((r) => r.reason).join('; ') };
    }
  }
}
