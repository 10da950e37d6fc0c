import { addWorkingDays, zonedInstant } from './calendar.js';
import type { Release, ReviewGroup } from './release.js';

/**
 * When a review group's evidence is due: so many working days before its meeting, at a local time
 * in the release's zone. The seed paper's TAG got its information too late to scrutinise it; the
 * deadline is what "too late" is measured against.
 */
export interface EvidenceRule {
  workingDaysBeforeMeeting: number;
  /** 'HH:MM' in the release's zone. */
  time: string;
}

export const DEFAULT_EVIDENCE_RULE: EvidenceRule = { workingDaysBeforeMeeting: 2, time: '17:00' };

/**
 * The rule a release's deadlines follow. One place to read it, so that a rule the template's
 * schedule sets for the release replaces the default everywhere at once.
 */
export function evidenceRuleOf(_release: Pick<Release, 'implementation'>): EvidenceRule {
  return DEFAULT_EVIDENCE_RULE;
}

/**
 * The instant the group's evidence is due, counted in the release's working days (its holidays
 * and weekends are stepped over) and zone; undefined for a group with no meeting date.
 */
export function evidenceDeadline(
  release: Pick<Release, 'implementation' | 'holidays'>,
  group: Pick<ReviewGroup, 'meeting'>,
  rule: EvidenceRule = DEFAULT_EVIDENCE_RULE,
): Date | undefined {
  if (group.meeting === undefined) return undefined;
  const day = addWorkingDays(group.meeting, -rule.workingDaysBeforeMeeting, release.holidays);
  return zonedInstant(day, rule.time, release.implementation.zone);
}
