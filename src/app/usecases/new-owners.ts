import type { Release } from '../../domain/release.js';
import { criterionOwners } from '../../domain/people.js';
import { personOf, type NewOutboxMessage } from '../delivery/outbox-message.js';

/**
 * People who have just become owners of criteria are told, in a direct message, what is theirs:
 * the kickoff at creation cannot tell them, since nobody holds a role yet when a release is made.
 * Each is told on their own platform, the one their id is qualified with.
 */
export function tellNewOwners(before: Release, after: Release, at: string): NewOutboxMessage[] {
  const owned = (release: Release) => new Set(release.criteria.flatMap((c) => criterionOwners(release, c)));
  const already = owned(before);
  return [...owned(after)]
    .filter((person) => !already.has(person))
    .flatMap((id) => {
      const person = personOf(id);
      if (!person) return [];
      return [
        {
          id: `owner:${after.id}:${person.id}:${at}`,
          kind: 'kickoff' as const,
          to: { person },
          params: { occurrence: `${after.id}:owner:${at}`, point: 'kickoff' },
        },
      ];
    });
}
