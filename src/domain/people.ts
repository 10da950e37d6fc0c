import type { Criterion, Delegate, Release } from './release.js';
import { ownValue } from './names.js';

/** Everyone who owns a criterion: people named on it and the members of its owner roles. */
export function criterionOwners(release: Release, criterion: Criterion): string[] {
  const fromRoles = criterion.owners.roles.flatMap((role) => roleMembers(release, role));
  return unique([...criterion.owners.people, ...fromRoles]);
}

/** Roles a criterion is owned through that have nobody in them yet: shown so the gap is visible. */
export function emptyOwnerRoles(release: Release, criterion: Criterion): string[] {
  return criterion.owners.roles.filter((role) => roleMembers(release, role).length === 0);
}

/** The people in a role; a name the release does not hold itself (`toString`) has nobody. */
export function roleMembers(release: Release, role: string): string[] {
  return ownValue(release.roles, role) ?? [];
}

/**
 * Whom `actor` may act for among `principals`: themselves if they are one, and anyone who named
 * them delegate. The caller decides what to do when this is ambiguous.
 */
export function actingFor(actor: string | readonly string[], principals: readonly string[], delegates: readonly Delegate[]): string[] {
  // A person who linked identities on several platforms (`whoami link`) is each of them.
  const selves = typeof actor === 'string' ? [actor] : actor;
  const result: string[] = selves.filter((self) => principals.includes(self));
  for (const d of delegates) if (selves.includes(d.delegate) && principals.includes(d.for) && !result.includes(d.for)) result.push(d.for);
  return result;
}

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
