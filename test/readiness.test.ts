import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/domain/readiness.js';
import { stateFingerprint } from '../src/domain/fingerprint.js';
import { markWorsening } from '../src/domain/worsening.js';
import { minimalReleaseDocument } from './fixtures/release-doc.js';
import type { Release, Response } from '../src/domain/release.js';
import { loadTemplate } from '../src/app/usecases/templates.js';
import { releaseFromTemplate } from '../src/app/usecases/new-release.js';
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
      expect(
        readiness.blockers.filter((b) => b.failed).map((b) => `${b.kind}:${b.ref}`),
        ref,
      ).toContain(ref);
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

  it("keeps a need-info answer pending and flags answers given after a group's evidence deadline as late", () => {
    const r = ready();
    r.groups[0]!.meeting = '2019-11-08';
    r.criteria[0]!.responses.push({ answer: 'need-info', comment: 'which build?', evidence: [], by: 'dan', platform: 'console', at: '2019-11-08T10:00:00.000Z' });
    const readiness = evaluate(r, NOW);
    expect(readiness.verdict).toBe('PENDING');
    expect(readiness.criteria[0]!.detail).toContain('which build?');
    expect(readiness.criteria[0]!.lateFor.map((l) => [l.group.name, l.deadline.toISOString()])).toEqual([['OPSG', '2019-11-06T17:00:00.000Z']]);
    expect(readiness.criteria[1]!.lateFor).toEqual([]);
  });

  it('marks the due instant passed once now is after it', () => {
    expect(evaluate(ready(), new Date('2019-11-29T09:00:00Z')).due.passed).toBe(true);
  });
});

describe('failures stay failures', () => {
  const notMet = (minutes: number): Response => ({ answer: 'not-met', comment: 'TOC not staffed', evidence: [], by: 'dan', platform: 'console', at: later(minutes) });

  it('keeps a not-met answer failing when the date moves or the facts it reads change', () => {
    const moved = ready();
    moved.criteria[5]!.responses.push(notMet(35));
    moved.dateChanges.push({ from: { date: '2019-11-29', time: '09:00' }, to: { date: '2019-12-06', time: '09:00' }, reason: 'defect', by: 'rita', at: later(50) });
    const readiness = evaluate(moved, NOW);
    expect(readiness.verdict).toBe('NO-GO');
    expect(readiness.criteria[5]).toMatchObject({ state: 'failed', stale: true });
    expect(readiness.criteria[5]!.detail).toBe('not met: TOC not staffed (answered before the implementation date moved; still a failure until answered again)');

    const facts = ready();
    facts.criteria[2]!.responses.push({ ...notMet(35), comment: 'sev2 open' });
    facts.facts.defects = { ...facts.facts.defects!, counts: { 1: 0, 2: 0, 3: 1, 4: 0, 5: 0 }, ...fact(40) };
    expect(evaluate(facts, NOW).blockers.find((b) => b.ref === 'no-sev1-sev2')).toMatchObject({ failed: true, owners: ['dan'] });

    // Only a newer answer replaces it.
    facts.criteria[2]!.responses.push(met(45));
    expect(evaluate(facts, NOW).criteria[2]!.state).toBe('met');
  });

  it('fails defect-plans when plans are recorded as no, and waits only while they are not recorded', () => {
    const no = ready();
    no.facts.defects = { ...no.facts.defects!, plans: false };
    const blocker = evaluate(no, NOW).blockers.find((b) => b.ref === 'defect-plans')!;
    expect(blocker).toMatchObject({ failed: true, owners: ['rita'] });
    expect(blocker.what).toContain('no resolution plan for 13 severity 3/4/5 defects');

    const unknown = ready();
    delete unknown.facts.defects!.plans;
    expect(evaluate(unknown, NOW).blockers.find((b) => b.ref === 'defect-plans')).toMatchObject({ failed: false, owners: ['rita'] });
  });

  it('names who can clear each blocker: managers for facts, owners for answers, both when both are missing', () => {
    const r = fresh();
    r.roles = { DCC: ['dan'], SECAS: ['sam'], Panel: ['pat'] };
    r.criteria[2]!.responses.push(met(5));
    r.risks.push({ number: 1, description: 'x', owner: 'olivia', mitigations: [], views: [], status: 'open', statusChangedAt: later(5), by: 'rita', at: later(5) });
    const byRef = Object.fromEntries(evaluate(r, NOW).blockers.map((b) => [b.ref, b]));
    expect(byRef['no-sev1-sev2']).toMatchObject({ owners: ['rita'], ownerRoles: [] });
    expect(byRef['no-sev1-sev2']!.what).toContain('confirmed, but defect figures not recorded yet');
    expect(byRef['test-phases-closed']).toMatchObject({ owners: ['dan', 'rita'] });
    expect(byRef['code-ready']).toMatchObject({ owners: ['dan'] });
    expect(byRef['1']).toMatchObject({ kind: 'risk', owners: ['olivia', 'rita', 'pat'] });
    expect(byRef.SECMP0062).toMatchObject({ owners: ['rita'] });
    expect(byRef.Panel).toMatchObject({ owners: ['pat'] });
  });

  it('keeps a withdrawn answer and a withdrawn sign-off waiting', () => {
    const r = ready();
    r.criteria[0]!.responses.push({ answer: 'withdrawn', evidence: [], by: 'dan', platform: 'console', at: later(40) });
    r.groups[0]!.signoffs.push({ verdict: 'withdrawn', by: 'opsg-chair', platform: 'console', at: later(40) });
    const readiness = evaluate(decideGo(r, 45), NOW);
    expect(readiness.verdict).toBe('PENDING');
    expect(readiness.criteria[0]).toMatchObject({ state: 'pending', detail: 'answer withdrawn: waiting for an answer' });
    expect(readiness.groups[0]).toMatchObject({ state: 'pending', waitingFor: ['opsg-chair'], agreed: [] });
  });
});

describe('decisions bound to the state they were made on', () => {
  it('fingerprints what the verdict reads: not the decisions, not re-entered figures', () => {
    const r = ready();
    const base = stateFingerprint(r);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    r.decisions.push({ verdict: 'no-go', by: 'pat', platform: 'console', at: later(40) });
    r.facts.defects = { ...r.facts.defects!, setAt: later(41), setBy: 'mo' };
    r.channels.push({ platform: 'slack', id: 'C1' });
    expect(stateFingerprint(r)).toBe(base);
    r.criteria[0]!.responses.push(met(42));
    expect(stateFingerprint(r)).not.toBe(base);
  });

  it('makes a decision without a basis, or on another state, stale: PENDING until decided again', () => {
    const legacy = ready();
    delete legacy.decisions[0]!.basis;
    const readiness = evaluate(legacy, NOW);
    expect(readiness.verdict).toBe('PENDING');
    expect(readiness.decision).toMatchObject({ stale: true });
    expect(readiness.blockers).toMatchObject([{ kind: 'decision', failed: false, owners: ['pat'] }]);

    const changed = ready();
    changed.facts.defects = { ...changed.facts.defects!, counts: { 1: 0, 2: 0, 3: 5, 4: 7, 5: 2 }, ...fact(40) };
    changed.criteria[2]!.responses.push(met(41));
    changed.criteria[3]!.responses.push(met(41));
    const after = evaluate(changed, NOW);
    expect(after.verdict).toBe('PENDING');
    expect(after.decision!.why).toBe('the defect figures changed; new answers on no-sev1-sev2, defect-plans');
    expect(after.blockers[0]!.what).toBe('Panel decided GO on an earlier state of the release (since then: the defect figures changed; new answers on no-sev1-sev2, defect-plans): decide again');
    expect(evaluate(decideGo(changed, 50), NOW).verdict).toBe('GO');
  });

  it('loads a release stored before decisions kept their basis, and shows such a decision stale', () => {
    const doc = minimalReleaseDocument('old', { release: { roles: { panel: ['pat'] }, decisions: [{ verdict: 'go', by: 'pat', platform: 'console', at: later(30) }] } });
    expect(doc.release.separationOfDuties).toBeUndefined();
    expect(doc.release.worsened).toBeUndefined();
    const readiness = evaluate(doc.release, NOW);
    expect(readiness.decision).toMatchObject({ stale: true, why: 'it was recorded before golive kept the state each decision is made on' });
    expect(readiness.verdict).toBe('PENDING');
  });

  it('keeps a stale NO-GO decision failing until the approver decides again', () => {
    const r = ready();
    r.decisions.push({ verdict: 'no-go', note: 'wait', by: 'pat', platform: 'console', at: later(40), basis: stateFingerprint(r) });
    r.criteria[0]!.responses.push(met(45));
    const readiness = evaluate(r, NOW);
    expect(readiness.verdict).toBe('NO-GO');
    expect(readiness.blockers[0]).toMatchObject({ kind: 'decision', failed: true });
  });

  it('shows an override GO as GO with the override while its state holds, and drops it once the state changes', () => {
    const r = ready();
    r.switches[0]!.current = 'on';
    r.decisions.push({ verdict: 'go', override: 'switch is dark-launched', by: 'pat', platform: 'console', at: later(40), basis: stateFingerprint(r) });
    const readiness = evaluate(r, NOW);
    expect(readiness.verdict).toBe('GO');
    expect(readiness.override).toEqual({ reason: 'switch is dark-launched', by: 'pat', at: later(40) });
    expect(readiness.blockers.map((b) => b.ref)).toEqual(['SECMP0062']);

    r.criteria[0]!.responses.push(met(45));
    const later_ = evaluate(r, NOW);
    expect(later_.verdict).toBe('NO-GO');
    expect(later_.override).toBeUndefined();
  });
});

describe('sign-offs made stale by a worsening', () => {
  const change = (r: Release, edit: (r: Release) => void, minutes: number): Release => {
    const after = structuredClone(r);
    edit(after);
    markWorsening(r, after, later(minutes));
    return after;
  };

  it('marks a drop of the verdict over criteria, risks and switches, counting the sign-offs given before it', () => {
    const r = ready();
    const worse = change(r, (x) => x.risks.push({ number: 1, description: 'new risk', mitigations: [], views: [], status: 'open', statusChangedAt: later(40), by: 'rita', at: later(40) }), 40);
    expect(worse.worsened).toEqual({
      at: later(40),
      what: 'GO to PENDING: Risk R1 is open: new risk',
      signoffs: [
        { group: 'opsg', count: 1 },
        { group: 'tag', count: 1 },
      ],
    });
    const readiness = evaluate(worse, NOW);
    expect(readiness.groups[0]).toMatchObject({ state: 'pending', agreed: [], waitingFor: ['opsg-chair'] });
    expect(readiness.groups[0]!.stale[0]!.why).toBe('signed before the verdict worsened (GO to PENDING: Risk R1 is open: new risk)');

    // Signing again after it counts.
    worse.groups[0]!.signoffs.push({ verdict: 'agree', by: 'opsg-chair', platform: 'console', at: later(41) });
    expect(evaluate(worse, NOW).groups[0]!.state).toBe('met');
  });

  it('marks a new failure even when the verdict was NO-GO already', () => {
    const r = ready();
    r.switches[0]!.current = 'on';
    const worse = change(r, (x) => x.criteria[5]!.responses.push({ answer: 'not-met', comment: 'no TOC', evidence: [], by: 'dan', platform: 'console', at: later(40) }), 40);
    expect(worse.worsened?.what).toBe('new failure while NO-GO: 6. ops-ready: not met: no TOC');
  });

  it('does not mark sign-offs, decisions, or changes that improve or keep the verdict', () => {
    const r = ready();
    const signed = change(r, (x) => x.groups[1]!.signoffs.push({ verdict: 'disagree', note: 'no', by: 'tag-chair', platform: 'console', at: later(40) }), 40);
    expect(signed.worsened).toBeUndefined();
    const decided = change(r, (x) => x.decisions.push({ verdict: 'no-go', by: 'pat', platform: 'console', at: later(40) }), 40);
    expect(decided.worsened).toBeUndefined();
    const same = change(r, (x) => (x.facts.testingIssues = { ...x.facts.testingIssues!, setAt: later(40) }), 40);
    expect(same.worsened).toBeUndefined();
  });

  it('keeps a disagreement failing however stale it is', () => {
    const r = ready();
    r.groups[1]!.signoffs.push({ verdict: 'disagree', note: 'too late', by: 'tag-chair', platform: 'console', at: later(35) });
    r.dateChanges.push({ from: { date: '2019-11-29', time: '09:00' }, to: { date: '2019-12-06', time: '09:00' }, reason: 'defect', by: 'rita', at: later(50) });
    expect(evaluate(r, NOW).groups[1]!.state).toBe('failed');
    expect(evaluate(r, NOW).groups[0]!.stale[0]!.why).toBe('signed before the implementation date moved');
  });
});

describe('answers and changes stamped in the same millisecond', () => {
  it('counts an answer given at the very instant the date moved as given before it: stale, asked again', () => {
    const r = ready();
    r.dateChanges.push({ from: { date: '2019-11-29', time: '09:00' }, to: { date: '2019-12-06', time: '09:00' }, reason: 'extra testing', by: 'rita', at: later(10) });
    const readiness = evaluate(r, NOW);
    expect(readiness.criteria.every((c) => c.stale)).toBe(true);
    expect(readiness.verdict).not.toBe('GO');
  });

  it("counts an answer given at the instant its rule's facts changed as given before them", () => {
    const r = ready();
    r.facts.defects = { ...r.facts.defects!, ...fact(10) };
    const state = evaluate(r, NOW).criteria.find((c) => c.criterion.id === 'no-sev1-sev2')!;
    expect(state.stale).toBe(true);
  });
});
