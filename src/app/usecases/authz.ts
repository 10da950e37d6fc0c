import { WITHDRAWN, type Criterion, type Delegate, type Release, type ReviewGroup } from '../../domain/release.js';
import { actingFor, criterionOwners, roleMembers } from '../../domain/people.js';
import { Refusal, selvesOf, type Actor } from '../request.js';

// Who may do what lives here, once, so every platform enforces the same rules.

const mention = (ids: readonly string[]) => (ids.length === 0 ? 'nobody yet' : ids.map((id) => `@${id}`).join(', '));

export function isManager(release: Release, actor: Actor): boolean {
  return selvesOf(actor).some((self) => release.managers.includes(self));
}

export function requireManager(release: Release, actor: Actor, doing: string): void {
  if (!isManager(release, actor)) {
    throw new Refusal(`Only the release managers (${mention(release.managers)}) can ${doing} for ${release.name}.`);
  }
}

/**
 * A signed webhook call (adapters/hooks checked it under GOLIVE_HOOK_SECRET) speaks for the
 * feature-flag system or tracker the operator configured: it may record switch states and facts,
 * nothing else, and its audit entry names it as a hook with its source, not as a manager.
 */
export function isTrustedHook(actor: Actor): boolean {
  return actor.platform === 'hook' && actor.id.startsWith('hook:');
}

/** Switch states and facts: the managers, or a signed hook reporting them. */
export function requireManagerOrHook(release: Release, actor: Actor, doing: string): void {
  if (isTrustedHook(actor)) return;
  requireManager(release, actor, doing);
}

/**
 * Whom the actor answers for: an owner answers for themselves; a delegate for the owner who named
 * them. `requested` is the `--for` person, needed only when a delegate stands in for several.
 */
function resolvePrincipal(actor: Actor, principals: string[], delegates: Release['delegates'], requested: string | undefined, refusal: string): string | undefined {
  const selves: string[] = selvesOf(actor);
  const allowed = actingFor(selves, principals, delegates);
  if (requested !== undefined) {
    if (!allowed.includes(requested)) throw new Refusal(refusal);
    return requested === actor.id ? undefined : requested;
  }
  if (allowed.length === 0) throw new Refusal(refusal);
  if (allowed.includes(actor.id)) return undefined;
  // Owned under a linked identity: the record says which identity acted, and for which it counts.
  const own = allowed.find((id) => selves.includes(id));
  if (own !== undefined) return own;
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
  if (release.separationOfDuties) requireSeparateDecider(release, [...selvesOf(actor), ...(onBehalfOf ? [onBehalfOf] : [])]);
  return onBehalfOf ? { onBehalfOf } : {};
}

/**
 * Separation of duties: whoever gave a criterion's current answer, and whoever manages the
 * release, may not also decide it, neither in person nor through a delegate.
 */
function requireSeparateDecider(release: Release, deciders: string[]): void {
  const rule = `${release.name} keeps separation of duties`;
  for (const person of deciders) {
    if (release.managers.includes(person)) {
      throw new Refusal(`${rule}: @${person} manages it, so cannot also decide go or no-go. The ${release.approverRole} must be someone else.`);
    }
    const answered = release.criteria.filter((c) => {
      const current = c.responses.at(-1);
      return current !== undefined && current.answer !== WITHDRAWN && (current.by === person || current.onBehalfOf === person);
    });
    if (answered.length > 0) {
      const which = answered.map((c) => `${c.number} (${c.id})`).join(', ');
      throw new Refusal(`${rule}: @${person} gave the current answer to criterion ${which}, so cannot also decide go or no-go.`);
    }
  }
}

/** Managers assign roles; under separation of duties a manager may not make themself the approver. */
export function authorizeRoleAssignment(release: Release, actor: Actor, role: string, people: readonly string[]): void {
  requireManager(release, actor, 'assign roles');
  if (release.separationOfDuties && role.toLowerCase() === release.approverRole.toLowerCase() && selvesOf(actor).some((self) => people.includes(self))) {
    throw new Refusal(`${release.name} keeps separation of duties: a release manager cannot give themself the ${release.approverRole} role. Another manager can name someone else.`);
  }
}

/** What a withdrawal is of: the answer or sign-off as given, and whom it counted for. */
export interface Given {
  by: string;
  onBehalfOf?: string;
}

/**
 * Only the person who gave an answer or sign-off (or the person it was given for) may withdraw
 * it, or that person's delegate. Returns whom the withdrawal is made for, when not the actor.
 */
export function authorizeWithdrawal(given: Given, principal: string, actor: Actor, delegates: readonly Delegate[], what: string): { onBehalfOf?: string } {
  const people = [given.by, ...(given.onBehalfOf ? [given.onBehalfOf] : [])];
  if (actingFor(selvesOf(actor), people, delegates).length === 0) {
    throw new Refusal(`Only ${mention(people)}, who gave ${what}, or their delegates can withdraw it.`);
  }
  return principal === actor.id ? {} : { onBehalfOf: principal };
}
