import type { OutcomeResult, Release } from './release.js';
import { implementationInstant } from './calendar.js';

// After the date: how a release ended, and a release whose date passed without anyone saying.

export const OUTCOME_WORDS: Record<OutcomeResult, string> = { 'went-live': 'WENT LIVE', 'rolled-back': 'ROLLED BACK', cancelled: 'CANCELLED' };

export function isClosed(release: Release): boolean {
  return release.outcome !== undefined;
}

/** Past its implementation instant with no outcome recorded: someone has to say how it went. */
export function isOverdue(release: Release, now: Date): boolean {
  return !isClosed(release) && now.getTime() >= implementationInstant(release.implementation).getTime();
}
