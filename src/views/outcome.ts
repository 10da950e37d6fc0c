import type { Release } from '../domain/release.js';
import { implementationInstant, timeLeft } from '../domain/calendar.js';
import { isOverdue, OUTCOME_WORDS } from '../domain/outcome.js';
import { COMMAND_PREFIX } from '../app/language/usage.js';
import { b, t, user, type Span } from './elements.js';
import { when } from './format.js';

export const CLOSE_HINT = `${COMMAND_PREFIX} close went-live|rolled-back|cancelled ["note"]`;

/** How long ago the implementation time passed: "2 days ago", "just now". */
export function sinceDue(release: Release, now: Date): string {
  return timeLeft(now, implementationInstant(release.implementation)).replace(/^passed /, '');
}

/** The outcome of a closed release, or the overdue warning, or nothing: shown first wherever the release is. */
export function afterTheDate(release: Release, now: Date): Span[] | undefined {
  const outcome = release.outcome;
  if (outcome) {
    const spans = [b(`CLOSED: ${OUTCOME_WORDS[outcome.result]}`), t(' · recorded by '), user(outcome.by), t(` on ${when(outcome.at, release.implementation.zone)}`)];
    if (outcome.note) spans.push(t(`: ${outcome.note}`));
    return spans;
  }
  if (isOverdue(release, now)) {
    return [b('OVERDUE: '), t(`went past its date ${sinceDue(release, now)} without an outcome: record it with ${CLOSE_HINT}`)];
  }
  return undefined;
}
