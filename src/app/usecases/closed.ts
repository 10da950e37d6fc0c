import type { Release } from '../../domain/release.js';
import { OUTCOME_WORDS } from '../../domain/outcome.js';
import { when } from '../../views/format.js';
import { UserError } from '../request.js';

/** Said to anyone who tries to change a closed release: it is over, and reading it still works. */
export function closedMessage(release: Release): string | undefined {
  const outcome = release.outcome;
  if (!outcome) return undefined;
  return (
    `${release.name} is closed: ${OUTCOME_WORDS[outcome.result]}, recorded by @${outcome.by} on ${when(outcome.at, release.implementation.zone)}. ` +
    'It takes no more answers or changes; `/release status` and `/release report` still show it.'
  );
}

export function refuseIfClosed(release: Release): void {
  const message = closedMessage(release);
  if (message !== undefined) throw new UserError(message);
}
