import { TZDate } from '@date-fns/tz';
import type { Criterion, Decision, Release, Response, ReviewGroup, Signoff } from './release.js';
import { evaluateRule, factChangedAt, factsRead, latest, type RuleResult } from './rule-eval.js';
import { implementationInstant } from './calendar.js';
import { criterionOwners, emptyOwnerRoles, roleMembers } from './people.js';

export type Verdict = 'GO' | 'NO-GO' | 'PENDING';
export type ItemState = 'met' | 'failed' | 'pending';

export interface Blocker {
  kind: 'criterion' | 'group' | 'risk' | 'switch' | 'decision';
  /** The id of what blocks: criterion id, group id, risk number, switch key. */
  ref: string;
  what: string;
  /** People who can clear it, and roles that have nobody assigned yet. */
  owners: string[];
  ownerRoles: string[];
  since: string;
  /** A failure makes the verdict NO-GO; anything else keeps it PENDING. */
  failed: boolean;
}

export interface CriterionState {
  criterion: Criterion;
  state: ItemState;
  detail: string;
  owners: string[];
  ownerRoles: string[];
  latest?: Response;
  stale: boolean;
  rule?: RuleResult;
  /** Groups whose meeting had started before the latest answer was given. */
  lateFor: string[];
}

export interface GroupState {
  group: ReviewGroup;
  state: ItemState;
  agreed: Signoff[];
  disagreed: Signoff[];
  waitingFor: string[];
}

export interface Readiness {
  verdict: Verdict;
  blockers: Blocker[];
  criteria: CriterionState[];
  groups: GroupState[];
  decision?: { decision: Decision; stale: boolean };
  /** The implementation instant, and whether `now` is already past it. */
  due: { at: Date; passed: boolean };
}

/** When the implementation date last moved: every answer before it must be given again. */
export function dateLastMovedAt(release: Release): string | undefined {
  return latest(release.dateChanges.map((c) => c.at));
}

const before = (a: string, b: string | undefined) => b !== undefined && Date.parse(a) < Date.parse(b);

export function staleReason(release: Release, criterion: Criterion, response: Response): string | undefined {
  const moved = dateLastMovedAt(release);
  if (before(response.at, moved)) return 'answered before the implementation date moved';
  if (!criterion.rule) return undefined;
  for (const fact of factsRead(criterion.rule)) {
    if (before(response.at, factChangedAt(release.facts, fact))) return `answered before the ${FACT_WORDS[fact]} last changed`;
  }
  return undefined;
}

const FACT_WORDS = { defects: 'defect figures', testingIssues: 'testing issue figures', phases: 'test phases', environment: 'environment note' } as const;

function evaluateCriterion(release: Release, criterion: Criterion): CriterionState {
  const owners = criterionOwners(release, criterion);
  const ownerRoles = emptyOwnerRoles(release, criterion);
  const last = criterion.responses.at(-1);
  const rule = criterion.rule ? evaluateRule(criterion.rule, release.facts) : undefined;
  const stale = last ? staleReason(release, criterion, last) : undefined;
  const base = { criterion, owners, ownerRoles, stale: stale !== undefined, lateFor: last ? lateFor(release, last) : [] };
  const withLatest: Omit<CriterionState, 'state' | 'detail'> = { ...base, ...(rule && { rule }), ...(last && { latest: last }) };

  if (rule?.state === 'fails') return { ...withLatest, state: 'failed', detail: rule.reason };
  if (last?.answer === 'not-met' && !stale) return { ...withLatest, state: 'failed', detail: `not met: ${last.comment ?? ''}`.trim() };
  if (!last) return { ...withLatest, state: 'pending', detail: 'waiting for an answer' };
  if (stale) return { ...withLatest, state: 'pending', detail: `${stale}: must be confirmed again` };
  if (last.answer === 'need-info') return { ...withLatest, state: 'pending', detail: `more information needed: ${last.comment ?? ''}`.trim() };
  if (rule?.state === 'pending') return { ...withLatest, state: 'pending', detail: `confirmed, but ${rule.reason}` };
  return { ...withLatest, state: 'met', detail: rule ? `met; ${rule.reason}` : 'met' };
}

function lateFor(release: Release, response: Response): string[] {
  return release.groups
    .filter((g) => g.meeting !== undefined && Date.parse(response.at) >= meetingStart(g.meeting, release.implementation.zone).getTime())
    .map((g) => g.name);
}

function meetingStart(date: string, zone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, 0, 0, zone);
}

/** Each member's latest word counts once, whether they signed or a delegate signed for them. */
export function evaluateGroup(group: ReviewGroup): GroupState {
  const latestByMember = new Map<string, Signoff>();
  for (const s of group.signoffs) latestByMember.set(s.onBehalfOf ?? s.by, s);
  const current = [...latestByMember.entries()].filter(([member]) => group.members.includes(member)).map(([, s]) => s);
  const agreed = current.filter((s) => s.verdict === 'agree');
  const disagreed = current.filter((s) => s.verdict === 'disagree');
  const waitingFor = group.members.filter((m) => !latestByMember.has(m));
  const state: ItemState = disagreed.length > 0 ? 'failed' : group.members.length > 0 && agreed.length >= group.quorum ? 'met' : 'pending';
  return { group, state, agreed, disagreed, waitingFor };
}

export function evaluate(release: Release, now: Date): Readiness {
  const blockers: Blocker[] = [];
  const created = release.createdAt;
  const criteria = release.criteria.map((c) => evaluateCriterion(release, c));
  for (const c of criteria) {
    if (c.state === 'met') continue;
    const failed = c.state === 'failed';
    const since = failed
      ? c.rule?.state === 'fails'
        ? c.rule.since ?? created
        : c.latest?.at ?? created
      : c.stale
        ? staleSince(release, c.criterion) ?? created
        : c.latest?.at ?? created;
    blockers.push({
      kind: 'criterion',
      ref: c.criterion.id,
      what: `${c.criterion.number}. ${c.criterion.id}: ${c.detail}`,
      owners: c.owners,
      ownerRoles: c.ownerRoles,
      since,
      failed,
    });
  }

  const groups = release.groups.map(evaluateGroup);
  for (const g of groups) {
    if (g.state === 'met') continue;
    const what =
      g.state === 'failed'
        ? `${g.group.name} disagrees`
        : g.group.members.length === 0
          ? `${g.group.name} has no members yet`
          : `${g.group.name} sign-off: ${g.agreed.length} of ${g.group.quorum} needed`;
    blockers.push({
      kind: 'group',
      ref: g.group.id,
      what,
      owners: g.state === 'failed' ? g.disagreed.map((s) => s.onBehalfOf ?? s.by) : g.waitingFor,
      ownerRoles: [],
      since: g.state === 'failed' ? latest(g.disagreed.map((s) => s.at)) ?? created : created,
      failed: g.state === 'failed',
    });
  }

  for (const risk of release.risks) {
    if (risk.status !== 'open') continue;
    blockers.push({
      kind: 'risk',
      ref: String(risk.number),
      what: `Risk R${risk.number} is open: ${risk.description}`,
      owners: risk.owner ? [risk.owner] : release.managers,
      ownerRoles: [],
      since: risk.statusChangedAt,
      failed: false,
    });
  }

  for (const sw of release.switches) {
    if (sw.current === sw.expected) continue;
    const changed = sw.history.at(-1)?.at ?? created;
    blockers.push({
      kind: 'switch',
      ref: sw.key,
      what: sw.current === undefined ? `Switch ${sw.key} state not reported (expected ${sw.expected})` : `Switch ${sw.key} is ${sw.current}, expected ${sw.expected}`,
      owners: release.managers,
      ownerRoles: [],
      since: changed,
      failed: sw.current !== undefined,
    });
  }

  const lastDecision = release.decisions.at(-1);
  const decisionStale = lastDecision !== undefined && before(lastDecision.at, dateLastMovedAt(release));
  const approvers = roleMembers(release, release.approverRole);
  const approverGap = approvers.length === 0 ? [release.approverRole] : [];
  if (!lastDecision || decisionStale) {
    blockers.push({
      kind: 'decision',
      ref: release.approverRole,
      what: decisionStale ? `${release.approverRole} decided before the implementation date moved: decide again` : `${release.approverRole} has not decided yet`,
      owners: approvers,
      ownerRoles: approverGap,
      since: decisionStale ? dateLastMovedAt(release) ?? created : created,
      failed: false,
    });
  } else if (lastDecision.verdict === 'no-go') {
    blockers.push({
      kind: 'decision',
      ref: release.approverRole,
      what: `${release.approverRole} decided NO-GO${lastDecision.note ? `: ${lastDecision.note}` : ''}`,
      owners: approvers,
      ownerRoles: approverGap,
      since: lastDecision.at,
      failed: true,
    });
  }

  const verdict: Verdict = blockers.some((b) => b.failed) ? 'NO-GO' : blockers.length > 0 ? 'PENDING' : 'GO';
  const at = implementationInstant(release.implementation);
  const readiness: Readiness = { verdict, blockers: sortBlockers(blockers), criteria, groups, due: { at, passed: now.getTime() >= at.getTime() } };
  if (lastDecision) readiness.decision = { decision: lastDecision, stale: decisionStale };
  return readiness;
}

function staleSince(release: Release, criterion: Criterion): string | undefined {
  const facts = criterion.rule ? factsRead(criterion.rule).map((f) => factChangedAt(release.facts, f)) : [];
  return latest([dateLastMovedAt(release), ...facts]);
}

/** Failures first, then the oldest: what has blocked longest is what to chase. */
function sortBlockers(blockers: Blocker[]): Blocker[] {
  return [...blockers].sort((a, b) => Number(b.failed) - Number(a.failed) || Date.parse(a.since) - Date.parse(b.since));
}
