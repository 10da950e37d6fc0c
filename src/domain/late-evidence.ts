import type { Criterion, Release, Response, ReviewGroup } from './release.js';
import { evidenceDeadline, evidenceRuleOf, type EvidenceRule } from './evidence-deadline.js';

// Every review group with a meeting reviews all of the release's criteria (as OPSG and TAG both
// did in the seed paper), so an answer given after any group's evidence deadline reached that
// group too late to scrutinise.

/** A group whose evidence deadline an answer missed. */
export interface LateFor {
  group: ReviewGroup;
  deadline: Date;
}

/** An answer that arrived after a group's deadline; `current` is false once a newer answer replaced it. */
export interface LateItem {
  criterion: Criterion;
  response: Response;
  current: boolean;
}

export interface GroupLateEvidence {
  group: ReviewGroup;
  deadline: Date;
  /** Oldest first; empty when everything arrived in time. */
  items: LateItem[];
}

/** Every review group's evidence deadline (groups with no meeting have none): worked out once to check many answers against. */
export function groupDeadlines(release: Release, rule: EvidenceRule = evidenceRuleOf(release)): LateFor[] {
  return release.groups.flatMap((group) => {
    const deadline = evidenceDeadline(release, group, rule);
    return deadline ? [{ group, deadline }] : [];
  });
}

/** A withdrawal brings no evidence, so it is never late; an answer given at the deadline itself is in time. */
const missed = (response: Response, deadline: Date) => response.answer !== 'withdrawn' && Date.parse(response.at) > deadline.getTime();

/** The groups whose evidence deadline had passed when the response was given. */
export function lateFor(release: Release, response: Response, rule: EvidenceRule = evidenceRuleOf(release)): LateFor[] {
  return missedDeadlines(groupDeadlines(release, rule), response);
}

/** Of `deadlines` (from groupDeadlines), those the response missed. */
export function missedDeadlines(deadlines: readonly LateFor[], response: Response): LateFor[] {
  return deadlines.filter((d) => missed(response, d.deadline));
}

/**
 * For every group with a meeting, its deadline and each answer given after it, in the order they
 * arrived: what the paper and the go/no-go announcement list as late.
 */
export function lateEvidence(release: Release, rule: EvidenceRule = evidenceRuleOf(release)): GroupLateEvidence[] {
  return groupDeadlines(release, rule).map(({ group, deadline }) => {
    const items = release.criteria
      .flatMap((criterion) => criterion.responses.map((response, i) => ({ criterion, response, current: i === criterion.responses.length - 1 })))
      .filter((item) => missed(item.response, deadline))
      .sort((a, b) => Date.parse(a.response.at) - Date.parse(b.response.at) || a.criterion.number - b.criterion.number);
    return { group, deadline, items };
  });
}
