import { addWorkingDays, zonedInstant } from './calendar.js';
import type { Release, ReviewGroup } from './release.js';
import { effectiveWhen, overrideOf, planOf } from './schedule.js';

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
export function evidenceRuleOf(release: Pick<Release, 'implementation' | 'schedule' | 'scheduleOverrides'>): EvidenceRule {
  // The plan's evidence-deadline point, as a manager may have moved it; a point switched off or
  // moved to a fixed day leaves the default as the measure of "late".
  const point = planOf(release as Release).find((p) => p.kind === 'evidence-deadline');
  if (!point) return DEFAULT_EVIDENCE_RULE;
  const override = overrideOf(release as Release, point.id);
  if (override?.off) return DEFAULT_EVIDENCE_RULE;
  const when = effectiveWhen(point, override, release.implementation.time);
  return when.anchor === 'meeting' ? { workingDaysBeforeMeeting: when.before, time: when.time } : DEFAULT_EVIDENCE_RULE;
}

/**
 * The instant the group's evidence is due, counted in the release's working days (its holidays
 * and weekends are stepped over) and zone; undefined for a group with no meeting date.
 */
export function evidenceDeadline(release: Pick<Release, 'implementation' | 'holidays'>, group: Pick<ReviewGroup, 'meeting'>, rule: EvidenceRule = DEFAULT_EVIDENCE_RULE): Date | undefined {
  if (group.meeting === undefined) return undefined;
  const day = addWorkingDays(group.meeting, -rule.workingDaysBeforeMeeting, release.holidays);
  return zonedInstant(day, rule.time, release.implementation.zone);
}
