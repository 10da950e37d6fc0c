import type { Channel, Criterion, Release } from './release.js';
import { criterionOwners } from './people.js';
import { evaluate, staleReason, type Blocker, type Verdict } from './readiness.js';
import { isClosed } from './outcome.js';
import type { Occurrence } from './schedule.js';

// Whom each schedule occurrence speaks to, and about what, from the release as it is at the
// moment of sending: a reminder computed now names only what is still unanswered now.

/** Why a criterion waits for its owners. */
export type Waiting = 'unanswered' | 'stale' | 'need-info';

export interface CriterionDue {
  criterion: string;
  number: number;
  why: Waiting;
}

/** One direct message: everything for one person in one message, never one per item. */
export interface DirectMessage {
  person: string;
  /** Criteria the person owns that wait for them (reminders, evidence reminders, kickoff). */
  criteria: CriterionDue[];
  /** What still blocks go-live (escalation to the managers). */
  blockers: Blocker[];
}

export interface Audience {
  occurrence: Occurrence;
  /** Linked channels an announcement goes to. */
  channels: Channel[];
  direct: DirectMessage[];
  /** The verdict when it was computed, for announcements that depend on it. */
  verdict: Verdict;
  /** On the day: the go-live announcement on GO (an override included), the no-go notice otherwise. */
  variant?: 'go-live' | 'no-go';
  /** Every criterion still waiting for its owners (what an evidence deadline names as missing). */
  missing: CriterionDue[];
}

/** Why the criterion waits for an answer from its owners, or undefined when it does not. */
export function waitingFor(release: Release, criterion: Criterion): Waiting | undefined {
  const last = criterion.responses.at(-1);
  if (!last || last.answer === 'withdrawn') return 'unanswered';
  if (staleReason(release, criterion, last) !== undefined) return 'stale';
  if (last.answer === 'need-info') return 'need-info';
  return undefined;
}

/** Criteria waiting for their owners' answers, in criterion order. */
export function criteriaWaiting(release: Release): CriterionDue[] {
  return release.criteria.flatMap((c) => {
    const why = waitingFor(release, c);
    return why ? [{ criterion: c.id, number: c.number, why }] : [];
  });
}

/**
 * The owners of the given criteria, one entry per person (sorted by person) listing all of their
 * items: a person who owns three waiting criteria gets one message naming the three.
 */
export function byOwner(release: Release, items: readonly CriterionDue[]): DirectMessage[] {
  const people = new Map<string, CriterionDue[]>();
  for (const item of items) {
    const criterion = release.criteria.find((c) => c.id === item.criterion)!;
    for (const person of criterionOwners(release, criterion)) people.set(person, [...(people.get(person) ?? []), item]);
  }
  return [...people.keys()].sort().map((person) => ({ person, criteria: people.get(person)!, blockers: [] }));
}

/**
 * The audience of one occurrence, computed from the release at `now`:
 * - kickoff: the linked channels (the checklist), and each owner told what is theirs to answer;
 * - reminder: each owner of an unanswered, stale or need-info criterion, one message listing all of theirs;
 * - evidence-deadline: the linked channels, naming what is still missing;
 * - evidence-reminder: each owner of what is still missing, one message each;
 * - escalation: the managers, with every open blocker (nobody when nothing is open);
 * - go-no-go and go-live: the linked channels (go-live says GO or NO-GO by `variant`);
 * - outcome-ask: the managers, unless the release is closed.
 * A closed release has no audience for anything.
 */
export function audienceOf(release: Release, occurrence: Occurrence, now: Date): Audience {
  const readiness = evaluate(release, now);
  const missing = criteriaWaiting(release);
  const base: Audience = { occurrence, channels: [], direct: [], verdict: readiness.verdict, missing };
  if (isClosed(release)) return base;
  const managers = (blockers: Blocker[]): DirectMessage[] => [...release.managers].sort().map((person) => ({ person, criteria: [], blockers }));
  switch (occurrence.kind) {
    case 'kickoff':
      return { ...base, channels: release.channels, direct: byOwner(release, missing) };
    case 'reminder':
    case 'evidence-reminder':
      return { ...base, direct: byOwner(release, missing) };
    case 'evidence-deadline':
      return { ...base, channels: release.channels };
    case 'escalation':
      return { ...base, direct: readiness.blockers.length > 0 ? managers(readiness.blockers) : [] };
    case 'go-no-go':
      return { ...base, channels: release.channels };
    case 'go-live':
      return { ...base, channels: release.channels, variant: readiness.verdict === 'GO' ? 'go-live' : 'no-go' };
    case 'outcome-ask':
      return { ...base, direct: managers([]) };
  }
}

/**
 * Whether sending the occurrence now would still tell anyone anything: the predicate catchUp
 * takes. A reminder whose criteria are all answered, an escalation with nothing open, the
 * outcome question of a closed release: not wanted.
 */
export function stillWanted(release: Release, occurrence: Occurrence, now: Date): boolean {
  const audience = audienceOf(release, occurrence, now);
  return audience.channels.length > 0 || audience.direct.length > 0;
}
