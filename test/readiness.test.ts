import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/domain/readiness.js';
import { stateFingerprint } from '../src/domain/fingerprint.js';
import type { Release, Response } from '../src/domain/release.js';
import { loadTemplate } from '../src/app/templates.js';
import { releaseFromTemplate } from '../src/app/new-release.js';
import type { Template } from '../src/domain/template.js';

let template: Template;
beforeAll(async () => {
  template = await loadTemplate('sec-release');
});

const T0 = '2019-11-01T09:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const NOW = new Date('2019-11-20T12:00:00Z');

function fresh(): Release {
  return releaseFromTemplate(template, { id: 'nov', name: 'Nov', date: '2019-11-29', by: 'rita', at: T0 });
}

const fact = (minutes: number) => ({ setAt: later(minutes), setBy: 'rita', changedAt: later(minutes) });
const met = (minutes: number, by = 'dan'): Response => ({ answer: 'met', evidence: [], by, platform: 'console', at: later(minutes) });

/** Everything in place for GO, as in the seed paper. */
function ready(): Release {
  const r = fresh();
  r.roles = { DCC: ['dan'], SECAS: ['sam'], Panel: ['pat'] };
  r.facts = {
    defects: { counts: { 1: 0, 2: 0, 3: 4, 4: 7, 5: 2 }, plans: true, ...fact(1) },
    testingIssues: { count: 12, threshold: 30, ...fact(1) },
    phases: [{ name: 'SIT', closed: true, exitCriteriaMet: true, ...fact(1) }],
    environment: { note: 'SIT A', ...fact(1) },
  };
  for (const c of r.criteria) c.responses.push(met(10, c.owners.roles.includes('SECAS') ? 'sam' : 'dan'));
  for (const g of r.groups) {
    g.members = [`${g.id}-chair`];
    g.signoffs.push({ verdict: 'agree', by: `${g.id}-chair`, platform: 'console', at: later(20) });
  }
  r.switches[0]!.current = 'off';
  return decideGo(r, 30);
}

/** The Panel decides GO on the release as it is now (a decision is bound to the state it was made on). */
function decideGo(r: Release, minutes: number): Release {
  r.decisions.push({ verdict: 'go', by: 'pat', platform: 'console', at: later(minutes), basis: stateFingerprint(r) });
  return r;
}

describe('evaluate', () => {
  it('is PENDING for a fresh release, with a blocker per criterion, group and the decision', () => {
    const readiness = evaluate(fresh(), NOW);
    expect(readiness.verdict).toBe('PENDING');
    const refs = readiness.blockers.map((b) => `${b.kind}:${b.ref}`);
    expect(refs).toEqual(expect.arrayContaining(['criterion:code-ready', 'criterion:secas-ready', 'group:opsg', 'group:tag', 'switch:SECMP0062', 'decision:Panel']));
    const code = readiness.blockers.find((b) => b.ref === 'code-ready')!;
    expect(code.ownerRoles).toEqual(['DCC']);
    expect(code.since).toBe(T0);
    expect(code.failed).toBe(false);
  });

  it('is GO when every criterion, group, risk, switch and the decision hold', () => {
    const readiness = evaluate(ready(), NOW);
    expect(readiness.blockers).toEqual([]);
    expect(readiness.verdict).toBe('GO');
    expect(readiness.due.at.toISOString()).toBe('2019-11-29T09:00:00.000Z');
    expect(readiness.due.passed).toBe(false);
  });

  it('is NO-GO on a severity 2 defect, naming no-sev1-sev2, the managers who record facts and since when', () => {
    const r = ready();
    r.facts.defects = { ...r.facts.defects!, counts: { 1: 0, 2: 1, 3: 4, 4: 7, 5: 2 }, ...fact(40) };
    const readiness = evaluate(r, NOW);
    expect(readiness.verdict).toBe('NO-GO');
    const blocker = readiness.blockers[0]!;
    expect(blocker).toMatchObject({ kind: 'criterion', ref: 'no-sev1-sev2', failed: true, owners: ['rita'], since: later(40) });
    expect(blocker.what).toContain('1 severity 2 defect outstanding');
  });

  it('is NO-GO on a not-met answer, a disagreeing group, a wrong switch, testing issues over threshold, or a no-go decision', () => {
    const cases: Array<[string, (r: Release) => void]> = [
      ['criterion:ops-ready', (r) => r.criteria[5]!.responses.push({ answer: 'not-met', comment: 'TOC not staffed', evidence: [], by: 'dan', platform: 'console', at: later(35) })],
      ['group:tag', (r) => r.groups[1]!.signoffs.push({ verdict: 'disagree', note: 'too late', by: 'tag-chair', platform: 'console', at: later(35) })],
      ['switch:SECMP0062', (r) => (r.switches[0]!.current = 'on')],
      ['criterion:defect-plans', (r) => (r.facts.testingIssues = { count: 31, threshold: 30, ...fact(35) })],
      ['decision:Panel', (r) => r.decisions.push({ verdict: 'no-go', by: 'pat', platform: 'console', at: later(35) })],
    ];
    for (const [ref, spoil] of cases) {
      const r = ready();
      spoil(r);
      const readiness = evaluate(r, NOW);
      expect(readiness.verdict, ref).toBe('NO-GO');
      expect(readiness.blockers.filter((b) => b.failed).map((b) => `${b.kind}:${b.ref}`), ref).toContain(ref);
    }
  });

  it('stays PENDING while a risk is open, a quorum is short or a decision is missing', () => {
    const withRisk = ready();
    withRisk.risks.push({ number: 1, description: 'switch risk', mitigations: [], views: [], status: 'open', statusChangedAt: later(5), by: 'rita', at: later(5) });
    expect(evaluate(withRisk, NOW).verdict).toBe('PENDING');
    withRisk.risks[0]!.status = 'accepted-with-conditions';
    expect(evaluate(decideGo(withRisk, 40), NOW).verdict).toBe('GO');

    const shortQuorum = ready();
    shortQuorum.groups[0]!.members.push('opsg-second');
    shortQuorum.groups[0]!.quorum = 2;
    const readiness = evaluate(shortQuorum, NOW);
    expect(readiness.verdict).toBe('PENDING');
    expect(readiness.blockers[0]).toMatchObject({ kind: 'group', ref: 'opsg', owners: ['opsg-second'] });

    const undecided = ready();
    undecided.decisions = [];
    expect(evaluate(undecided, NOW).blockers.map((b) => b.kind)).toEqual(['decision']);
  });

  it('counts a delegate signing for a member as that member, once', () => {
    const r = ready();
    const opsg = r.groups[0]!;
    opsg.members = ['olivia', 'oscar'];
    opsg.quorum = 2;
    opsg.signoffs = [
      { verdict: 'agree', by: 'olivia', platform: 'console', at: later(20) },
      { verdict: 'agree', by: 'olivia', platform: 'console', at: later(21) },
    ];
    expect(evaluate(r, NOW).verdict).toBe('PENDING');
    opsg.signoffs.push({ verdict: 'agree', by: 'owen', onBehalfOf: 'oscar', platform: 'console', at: later(22) });
    expect(evaluate(decideGo(r, 40), NOW).verdict).toBe('GO');
  });

  it('makes every answer given before the date moved stale, and the decision too', () => {
    const r = ready();
    r.implementation.date = '2019-12-06';
    r.dateChanges.push({ from: { date: '2019-11-29', time: '09:00' }, to: { date: '2019-12-06', time: '09:00' }, reason: 'defect', by: 'rita', at: later(50) });
    const readiness = evaluate(r, NOW);
    expect(readiness.verdict).toBe('PENDING');
    expect(readiness.criteria.every((c) => c.stale && c.state === 'pending')).toBe(true);
    expect(readiness.decision?.stale).toBe(true);
    const blocker = readiness.blockers.find((b) => b.ref === 'code-ready')!;
    expect(blocker.since).toBe(later(50));
    expect(blocker.what).toContain('must be confirmed again');

    r.criteria[0]!.responses.push(met(60));
    expect(evaluate(r, NOW).criteria[0]!.stale).toBe(false);
  });

  it('makes an answer stale when a fact its rule reads changes, not when the same figures are re-entered', () => {
    const r = ready();
    r.facts.testingIssues = { count: 13, threshold: 30, ...fact(40) };
    const readiness = evaluate(r, NOW);
    const byId = Object.fromEntries(readiness.criteria.map((c) => [c.criterion.id, c]));
    expect(byId['defect-plans']!.stale).toBe(true);
    expect(byId['code-ready']!.stale).toBe(false);
    expect(byId['no-sev1-sev2']!.stale).toBe(false);

    const same = ready();
    same.facts.testingIssues = { ...same.facts.testingIssues!, setAt: later(40) };
    expect(evaluate(same, NOW).verdict).toBe('GO');
  });

  it('keeps a need-info answer pending and flags answers given on or after a group meeting as late', () => {
    const r = ready();
    r.groups[0]!.meeting = '2019-11-08';
    r.criteria[0]!.responses.push({ answer: 'need-info', comment: 'which build?', evidence: [], by: 'dan', platform: 'console', at: '2019-11-08T10:00:00.000Z' });
    const readiness = evaluate(r, NOW);
    expect(readiness.verdict).toBe('PENDING');
    expect(readiness.criteria[0]!.detail).toContain('which build?');
    expect(readiness.criteria[0]!.lateFor).toEqual(['OPSG']);
    expect(readiness.criteria[1]!.lateFor).toEqual([]);
  });

  it('marks the due instant passed once now is after it', () => {
    expect(evaluate(ready(), new Date('2019-11-29T09:00:00Z')).due.passed).toBe(true);
  });
});
