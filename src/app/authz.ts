import type { Criterion, Release, ReviewGroup } from '../domain/release.js';
import { actingFor, criterionOwners, roleMembers } from '../domain/people.js';
import { Refusal, type Actor } from './request.js';

// Who may do what lives here, once, so every platform enforces the same rules.

const mention = (ids: readonly string[]) => (ids.length === 0 ? 'nobody yet' : ids.map((id) => `@${id}`).join(', '));

export function isManager(release: Release, actor: Actor): boolean {
  return release.managers.includes(actor.id);
}

export function requireManager(release: Release, actor: Actor, doing: string): void {
  if (!isManager(release, actor)) {
    throw new Refusal(`Only the release managers (${mention(release.managers)}) can ${doing} for ${release.name}.`);
  }
}

/**
 * Whom the actor answers for: an owner answers for themselves; a delegate for the owner who named
 * them. `requested` is the `--for` person, needed only when a delegate stands in for several.
 */
function resolvePrincipal(actor: Actor, principals: string[], delegates: Release['delegates'], requested: string | undefined, refusal: string): string | undefined {
  const allowed = actingFor(actor.id, principals, delegates);
  if (requested !== undefined) {
    if (!allowed.includes(requested)) throw new Refusal(refusal);
    return requested === actor.id ? undefined : requested;
  }
  if (allowed.length === 0) throw new Refusal(refusal);
  if (allowed.includes(actor.id)) return undefined;
  if (allowed.length > 1) throw new Refusal(`You are a delegate for ${mention(allowed)}: say whom you answer for with --for.`);
  return allowed[0];
}

export function authorizeAnswer(release: Release, criterion: Criterion, actor: Actor, requested?: string): { onBehalfOf?: string } {
  const owners = criterionOwners(release, criterion);
  const roles = criterion.owners.roles.length > 0 ? ` (role ${criterion.owners.roles.join(', ')})` : '';
  const refusal = `Criterion ${criterion.number} (${criterion.id}) is owned by ${mention(owners)}${roles}; only its owners or their delegates can answer it.`;
  const onBehalfOf = resolvePrincipal(actor, owners, release.delegates, requested, refusal);
  return onBehalfOf ? { onBehalfOf } : {};
}

export function authorizeSignoff(group: ReviewGroup, actor: Actor, requested?: string): { onBehalfOf?: string } {
  const refusal = `Only members of ${group.name} (${mention(group.members)}) or their delegates can sign off for it.`;
  const onBehalfOf = resolvePrincipal(actor, group.members, group.delegates, requested, refusal);
  return onBehalfOf ? { onBehalfOf } : {};
}

export function authorizeDecision(release: Release, actor: Actor, requested?: string): { onBehalfOf?: string } {
  const approvers = roleMembers(release, release.approverRole);
  const refusal = `Only the ${release.approverRole} (${mention(approvers)}) can decide go or no-go for ${release.name}.`;
  const onBehalfOf = resolvePrincipal(actor, approvers, release.delegates, requested, refusal);
  return onBehalfOf ? { onBehalfOf } : {};
}
