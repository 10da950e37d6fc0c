import type { Release } from '../../domain/release.js';
import { criterionOwners, peoplePlatform } from '../../domain/people.js';
import type { NewOutboxMessage } from '../delivery/outbox-message.js';

/**
 * People who have just become owners of criteria are told, in a direct message, what is theirs:
 * the kickoff at creation cannot tell them, since nobody holds a role yet when a release is made.
 */
export function tellNewOwners(before: Release, after: Release, at: string): NewOutboxMessage[] {
  const owned = (release: Release) => new Set(release.criteria.flatMap((c) => criterionOwners(release, c)));
  const already = owned(before);
  const platform = peoplePlatform(after);
  if (!platform) return [];
  return [...owned(after)]
    .filter((person) => !already.has(person))
    .map((person) => ({
      id: `owner:${after.id}:${platform}:${person}:${at}`,
      kind: 'kickoff' as const,
      to: { person: { platform, id: person } },
      params: { occurrence: `${after.id}:owner:${at}`, point: 'kickoff' },
    }));
}
