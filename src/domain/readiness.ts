import type { Criterion, Decision, Release, Response, ReviewGroup, Signoff } from './release.js';
import { evaluateRule, factChangedAt, factsRead, latest, type RuleResult } from './rule-eval.js';
import type { FactName } from './rule.js';
import { implementationInstant } from './calendar.js';
import { criterionOwners, emptyOwnerRoles, roleMembers, unique } from './people.js';
import { deepFreeze } from './deep-freeze.js';
import { stateFingerprint } from './fingerprint.js';
import { groupDeadlines, missedDeadlines, type LateFor } from './late-evidence.js';

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
  /**
   * Who can clear it now: its owners when an answer is wanted, the release managers when only
   * facts are (only managers record facts). `clearedByRoles` are owner roles with nobody in them.
   */
  clearedBy: string[];
  clearedByRoles: string[];
  latest?: Response;
  stale: boolean;
  rule?: RuleResult;
  /** The groups whose evidence deadline had passed when the latest answer was given. */
  lateFor: LateFor[];
}

/** An agreement that no longer counts towards the quorum, and why. */
export interface StaleSignoff {
  signoff: Signoff;
  why: string;
}

export interface GroupState {
  group: ReviewGroup;
  state: ItemState;
  /** Current, fresh agreements: only these count towards the quorum. */
  agreed: Signoff[];
  /** A disagreement stays a failure until the member signs again, stale or not. */
  disagreed: Signoff[];
  stale: StaleSignoff[];
  waitingFor: string[];
}

export interface DecisionState {
  decision: Decision;
  /** Made on another state of the release than the current one: it must be made again. */
  stale: boolean;
  /** What changed since, when it can be told from the record. */
  why?: string;
}

/** A GO the approver gave although other items still blocked, with their reason. */
export interface Override {
  reason: string;
  by: string;
  onBehalfOf?: string;
  at: string;
}

/**
 * What a list of releases shows of each: the verdict (with the approver's override, if any), how
 * many blockers there are, and when it is due. The same as evaluate gives, without the detail
 * only a status shows (late evidence, why a decision is stale, blockers in order).
 */
export interface ReadinessSummary {
  verdict: Verdict;
  override?: Override;
  blockerCount: number;
  due: { at: Date; passed: boolean };
}

export interface Readiness {
  /** With `override` set, 'GO' is the approver's GO (override) and `blockers` is what it overrode. */
  verdict: Verdict;
  override?: Override;
  blockers: Blocker[];
  criteria: CriterionState[];
  groups: GroupState[];
  decision?: DecisionState;
  /** The implementation instant, and whether `now` is already past it. */
  due: { at: Date; passed: boolean };
}

/** When the implementation date last moved: every answer before it must be given again. */
export function dateLastMovedAt(release: Release): string | undefined {
  return latest(release.dateChanges.map((c) => c.at));
}

// An answer stamped in the same millisecond as the change it may predate counts as before it: when
// the order cannot be told from the times, golive asks again rather than trust a stale answer.
const before = (a: string, b: string | undefined) => b !== undefined && Date.parse(a) <= Date.parse(b);

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

/**
 * `deadlines` are the groups' evidence deadlines the answer is checked against (late evidence);
 * undefined when what is being worked out does not show it.
 */
function evaluateCriterion(release: Release, criterion: Criterion, deadlines: readonly LateFor[] | undefined): CriterionState {
  const owners = criterionOwners(release, criterion);
  const ownerRoles = emptyOwnerRoles(release, criterion);
  const last = criterion.responses.at(-1);
  const rule = criterion.rule ? evaluateRule(criterion.rule, release.facts) : undefined;
  const stale = last ? staleReason(release, criterion, last) : undefined;
  const base = { criterion, owners, ownerRoles, stale: stale !== undefined, lateFor: last && deadlines ? missedDeadlines(deadlines, last) : [] };
  const withLatest = { ...base, ...(rule && { rule }), ...(last && { latest: last }) };
  const byOwners = { clearedBy: owners, clearedByRoles: ownerRoles };
  const byManagers = { clearedBy: release.managers, clearedByRoles: [] };
  // Waiting for an answer while the facts are missing too: both the owners and the managers have to act.
  const factsPending = rule?.state === 'pending' ? { detail: `; ${rule.reason}`, clearers: { clearedBy: unique([...owners, ...release.managers]), clearedByRoles: ownerRoles } } : undefined;
  const waiting = (detail: string): CriterionState => ({ ...withLatest, ...(factsPending?.clearers ?? byOwners), state: 'pending', detail: detail + (factsPending?.detail ?? '') });

  if (rule?.state === 'fails') return { ...withLatest, ...byManagers, state: 'failed', detail: rule.reason };
  // A failure stays a failure until a newer answer replaces it, however stale it has become.
  if (last?.answer === 'not-met') {
    const note = stale ? ` (${stale}; still a failure until answered again)` : '';
    return { ...withLatest, ...byOwners, state: 'failed', detail: `not met: ${last.comment ?? ''}`.trim() + note };
  }
  if (!last) return waiting('waiting for an answer');
  if (last.answer === 'withdrawn') return waiting('answer withdrawn: waiting for an answer');
  if (stale) return waiting(`${stale}: must be confirmed again`);
  if (last.answer === 'need-info') return waiting(`more information needed: ${last.comment ?? ''}`.trim());
  if (rule?.state === 'pending') return { ...withLatest, ...byManagers, state: 'pending', detail: `confirmed, but ${rule.reason}` };
  return { ...withLatest, ...byOwners, state: 'met', detail: rule ? `met; ${rule.reason}` : 'met' };
}

/**
 * Each member's latest word counts once, whether they signed or a delegate signed for them. An
 * agreement given before the date moved or before the verdict last worsened no longer counts.
 */
export function evaluateGroup(release: Release, group: ReviewGroup): GroupState {
  const latestByMember = new Map<string, { signoff: Signoff; index: number }>();
  group.signoffs.forEach((signoff, index) => latestByMember.set(signoff.onBehalfOf ?? signoff.by, { signoff, index }));
  const agreed: Signoff[] = [];
  const disagreed: Signoff[] = [];
  const stale: StaleSignoff[] = [];
  const waiting = new Set<string>();
  for (const [member, { signoff, index }] of latestByMember) {
    if (!group.members.includes(member)) continue;
    if (signoff.verdict === 'withdrawn') continue;
    if (signoff.verdict === 'disagree') {
      disagreed.push(signoff);
      continue;
    }
    const why = signoffStaleReason(release, group, signoff, index);
    if (why === undefined) agreed.push(signoff);
    else {
      stale.push({ signoff, why });
      waiting.add(member);
    }
  }
  const waitingFor = group.members.filter((m) => waiting.has(m) || !latestByMember.has(m) || latestByMember.get(m)!.signoff.verdict === 'withdrawn');
  const state: ItemState = disagreed.length > 0 ? 'failed' : group.members.length > 0 && agreed.length >= group.quorum ? 'met' : 'pending';
  return { group, state, agreed, disagreed, stale, waitingFor };
}

export function signoffStaleReason(release: Release, group: ReviewGroup, signoff: Signoff, index: number): string | undefined {
  if (before(signoff.at, dateLastMovedAt(release))) return 'signed before the implementation date moved';
  const worsened = release.worsened;
  const counted = worsened?.signoffs.find((g) => g.group === group.id)?.count ?? 0;
  if (worsened && index < counted) return `signed before the verdict worsened (${worsened.what})`;
  return undefined;
}

const verdictOf = (blockers: readonly Blocker[]): Verdict => (blockers.some((b) => b.failed) ? 'NO-GO' : blockers.length > 0 ? 'PENDING' : 'GO');

/**
 * The verdict over criteria, risks and switches alone: what the facts and the owners say, before
 * review groups and the approver have their word. A worsening of it makes sign-offs stale.
 */
export function evaluateCore(release: Release): { verdict: Verdict; blockers: Blocker[]; criteria: CriterionState[] } {
  return core(release, 'full');
}

/**
 * How much to work out: 'summary' leaves out what only a status shows (late evidence, why a
 * decision is stale, the blockers' order). The verdict and the blockers are the same either way.
 */
type Depth = 'full' | 'summary';

function core(release: Release, depth: Depth): { verdict: Verdict; blockers: Blocker[]; criteria: CriterionState[] } {
  // The deadlines are the same for every answer: worked out once, not once per criterion.
  const deadlines = depth === 'full' ? groupDeadlines(release) : undefined;
  const criteria = release.criteria.map((c) => evaluateCriterion(release, c, deadlines));
  const blockers = [...criterionBlockers(release, criteria), ...riskBlockers(release), ...switchBlockers(release)];
  return { verdict: verdictOf(blockers), blockers, criteria };
}

// A frozen release cannot change (the store's shared copy of one version, see Store.shared), so its
// evaluation is worked out once per version and kept for as long as the object lives. Only
// `due.passed` depends on the time, and it is worked out again on every call.
const evaluated = new WeakMap<Release, Readiness>();

export function evaluate(release: Release, now: Date): Readiness {
  if (!Object.isFrozen(release)) return readiness(release, now, 'full');
  let known = evaluated.get(release);
  if (!known) {
    // Handed to every later caller: none of them may change it.
    known = deepFreeze(readiness(release, now, 'full'));
    evaluated.set(release, known);
  }
  const { at } = known.due;
  return { ...known, due: { at, passed: now.getTime() >= at.getTime() } };
}

/** evaluate's verdict, override, number of blockers and due time, for a list of many releases. */
export function summarize(release: Release, now: Date): ReadinessSummary {
  const { verdict, override, blockers, due } = readiness(release, now, 'summary');
  return { verdict, ...(override && { override }), blockerCount: blockers.length, due };
}

function readiness(release: Release, now: Date, depth: Depth): Readiness {
  const evaluated = core(release, depth);
  const groups = release.groups.map((g) => evaluateGroup(release, g));
  const others = [...evaluated.blockers, ...groupBlockers(release, groups)];
  const last = release.decisions.at(-1);
  const decision = last ? decisionState(release, last, depth) : undefined;
  const blockers = [...others, ...decisionBlockers(release, decision)];

  let verdict = verdictOf(blockers);
  let override: Override | undefined;
  if (decision && !decision.stale && last!.verdict === 'go' && last!.override !== undefined && others.length > 0) {
    verdict = 'GO';
    override = { reason: last!.override, by: last!.by, ...(last!.onBehalfOf && { onBehalfOf: last!.onBehalfOf }), at: last!.at };
  }
  const at = implementationInstant(release.implementation);
  const result: Readiness = { verdict, blockers: depth === 'full' ? sortBlockers(blockers) : blockers, criteria: evaluated.criteria, groups, due: { at, passed: now.getTime() >= at.getTime() } };
  if (override) result.override = override;
  if (decision) result.decision = decision;
  return result;
}

function criterionBlockers(release: Release, criteria: readonly CriterionState[]): Blocker[] {
  const created = release.createdAt;
  return criteria
    .filter((c) => c.state !== 'met')
    .map((c) => {
      const failed = c.state === 'failed';
      const since = failed
        ? c.rule?.state === 'fails'
          ? (c.rule.since ?? created)
          : (c.latest?.at ?? created)
        : c.stale && c.latest?.answer !== 'withdrawn'
          ? (staleSince(release, c.criterion) ?? created)
          : (c.latest?.at ?? created);
      return { kind: 'criterion', ref: c.criterion.id, what: `${c.criterion.number}. ${c.criterion.id}: ${c.detail}`, owners: c.clearedBy, ownerRoles: c.clearedByRoles, since, failed };
    });
}

function groupBlockers(release: Release, groups: readonly GroupState[]): Blocker[] {
  const created = release.createdAt;
  return groups
    .filter((g) => g.state !== 'met')
    .map((g) => {
      const staleNote = g.stale.length > 0 ? `; ${g.stale.length} stale sign-off${g.stale.length === 1 ? '' : 's'} must be given again` : '';
      const what =
        g.state === 'failed'
          ? `${g.group.name} disagrees`
          : g.group.members.length === 0
            ? `${g.group.name} has no members yet`
            : `${g.group.name} sign-off: ${g.agreed.length} of ${g.group.quorum} needed${staleNote}`;
      return {
        kind: 'group',
        ref: g.group.id,
        what,
        owners: g.state === 'failed' ? g.disagreed.map((s) => s.onBehalfOf ?? s.by) : g.waitingFor,
        ownerRoles: [],
        since: g.state === 'failed' ? (latest(g.disagreed.map((s) => s.at)) ?? created) : created,
        failed: g.state === 'failed',
      };
    });
}

/** A risk is cleared by accepting or closing it: its owner works on it, managers and approvers accept it. */
function riskBlockers(release: Release): Blocker[] {
  const acceptors = unique([...release.managers, ...roleMembers(release, release.approverRole)]);
  return release.risks
    .filter((risk) => risk.status === 'open')
    .map((risk) => ({
      kind: 'risk',
      ref: String(risk.number),
      what: `Risk R${risk.number} is open: ${risk.description}`,
      owners: unique([...(risk.owner ? [risk.owner] : []), ...acceptors]),
      ownerRoles: [],
      since: risk.statusChangedAt,
      failed: false,
    }));
}

function switchBlockers(release: Release): Blocker[] {
  return release.switches
    .filter((sw) => sw.current !== sw.expected)
    .map((sw) => ({
      kind: 'switch',
      ref: sw.key,
      what: sw.current === undefined ? `Switch ${sw.key} state not reported (expected ${sw.expected})` : `Switch ${sw.key} is ${sw.current}, expected ${sw.expected}`,
      owners: release.managers,
      ownerRoles: [],
      since: sw.history.at(-1)?.at ?? release.createdAt,
      failed: sw.current !== undefined,
    }));
}

function decisionState(release: Release, decision: Decision, depth: Depth): DecisionState {
  const stale = decision.basis === undefined || decision.basis !== stateFingerprint(release);
  return stale && depth === 'full' ? { decision, stale, why: changedSince(release, decision) } : { decision, stale };
}

/**
 * A missing or stale decision waits for the approvers; a NO-GO stays a failure until they decide
 * again, stale or not.
 */
function decisionBlockers(release: Release, state: DecisionState | undefined): Blocker[] {
  const role = release.approverRole;
  const approvers = roleMembers(release, role);
  const who = { owners: approvers, ownerRoles: approvers.length === 0 ? [role] : [] };
  if (!state) return [{ kind: 'decision', ref: role, what: `${role} has not decided yet`, ...who, since: release.createdAt, failed: false }];
  const { decision } = state;
  const earlier = state.stale ? ` on an earlier state of the release (since then: ${state.why}): decide again` : '';
  if (decision.verdict === 'no-go') {
    return [{ kind: 'decision', ref: role, what: `${role} decided NO-GO${decision.note ? `: ${decision.note}` : ''}${earlier}`, ...who, since: decision.at, failed: true }];
  }
  if (state.stale) return [{ kind: 'decision', ref: role, what: `${role} decided GO${earlier}`, ...who, since: decision.at, failed: false }];
  return [];
}

const FACT_NAMES: readonly FactName[] = ['defects', 'testingIssues', 'phases', 'environment'];

/** What changed after a decision, read from the timestamps the record keeps; cheap, not exhaustive. */
function changedSince(release: Release, decision: Decision): string {
  if (decision.basis === undefined) return 'it was recorded before golive kept the state each decision is made on';
  const after = (at: string | undefined) => at !== undefined && Date.parse(at) > Date.parse(decision.at);
  const what: string[] = [];
  if (release.dateChanges.some((c) => after(c.at))) what.push('the implementation date moved');
  for (const fact of FACT_NAMES) if (after(factChangedAt(release.facts, fact))) what.push(`the ${FACT_WORDS[fact]} changed`);
  const answered = release.criteria.filter((c) => c.responses.some((r) => after(r.at))).map((c) => c.id);
  if (answered.length > 0) what.push(`new answers on ${answered.join(', ')}`);
  const signed = release.groups.filter((g) => g.signoffs.some((s) => after(s.at))).map((g) => g.name);
  if (signed.length > 0) what.push(`new sign-offs for ${signed.join(', ')}`);
  const risks = release.risks.filter((r) => [r.at, r.statusChangedAt, ...r.mitigations.map((m) => m.at), ...r.views.map((v) => v.at)].some(after));
  if (risks.length > 0) what.push(`risk ${risks.map((r) => `R${r.number}`).join(', ')} changed`);
  const switches = release.switches.filter((sw) => sw.history.some((h) => after(h.at))).map((sw) => sw.key);
  if (switches.length > 0) what.push(`switch ${switches.join(', ')} reported`);
  if (what.length === 0) what.push('roles, owners, delegates or review groups changed');
  return what.join('; ');
}

function staleSince(release: Release, criterion: Criterion): string | undefined {
  const facts = criterion.rule ? factsRead(criterion.rule).map((f) => factChangedAt(release.facts, f)) : [];
  return latest([dateLastMovedAt(release), ...facts]);
}

/** Failures first, then the oldest: what has blocked longest is what to chase. */
function sortBlockers(blockers: Blocker[]): Blocker[] {
  return [...blockers].sort((a, b) => Number(b.failed) - Number(a.failed) || Date.parse(a.since) - Date.parse(b.since));
}
