import { t } from '../../../views/elements.js';
import { day } from '../../../views/format.js';
import { doneView } from '../../../views/messages.js';
import { Undeliverable, type KindRenderer } from '../kind-renderer.js';

/** A move of the implementation date, with its reason. */
export const dateMoved: KindRenderer<'date-moved'> = {
  words: 'Date move announcement',
  render({ params }, { release }) {
    const change = release.dateChanges[params.index];
    if (!change) throw new Undeliverable(`date change ${params.index + 1} is not in the record of ${release.id}`);
    const { from, to, reason } = change;
    return doneView('Implementation date moved', t(`${release.name} moves from ${day(from.date)} ${from.time} to ${day(to.date)} ${to.time}: ${reason}. Earlier confirmations must be given again.`));
  },
};
