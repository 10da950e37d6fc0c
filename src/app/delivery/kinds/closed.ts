import { OUTCOME_WORDS } from '../../../domain/outcome.js';
import { t, user } from '../../../views/elements.js';
import { when } from '../../../views/format.js';
import { doneView } from '../../../views/messages.js';
import { Undeliverable, type KindRenderer } from '../kind-renderer.js';

/** The release's outcome, once a manager has closed it. */
export const closed: KindRenderer<'closed'> = {
  words: 'Closing announcement',
  render(_message, { release }) {
    const outcome = release.outcome;
    if (!outcome) throw new Undeliverable(`${release.id} has no outcome recorded`);
    const words = OUTCOME_WORDS[outcome.result];
    const said = `${release.name} is closed: ${words}${outcome.note ? `: ${outcome.note}` : ''}. Recorded by `;
    return doneView(`Release closed: ${words}`, t(said), user(outcome.by), t(` on ${when(outcome.at, release.implementation.zone)}; it takes no more answers or changes.`));
  },
};
