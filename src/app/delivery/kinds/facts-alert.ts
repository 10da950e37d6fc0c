import { criterionOwners } from '../../../domain/people.js';
import { factsAlert as factsAlertView } from '../../../views/facts-alert.js';
import { Undeliverable, type KindRenderer } from '../kind-renderer.js';

/** New facts undid what owners had confirmed: each criterion with why, and its owners as they are now. */
export const factsAlert: KindRenderer<'facts-alert'> = {
  words: 'Facts alert',
  render({ params }, { release }) {
    const broken = params.broken.map((b) => {
      const criterion = release.criteria.find((c) => c.id === b.criterion);
      if (!criterion) throw new Undeliverable(`criterion ${b.criterion} is not in ${release.id}`);
      const why = b.cause === 'rule' ? `its rule now fails: ${b.reason}` : 'its confirmation is stale: confirm it again';
      return { number: criterion.number, id: criterion.id, owners: criterionOwners(release, criterion), why };
    });
    return factsAlertView(release.name, params.actor, broken);
  },
};
