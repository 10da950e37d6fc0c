import type { Release } from './release.js';
import { evaluate, type CriterionState, type GroupState, type Readiness } from './readiness.js';
import { actingFor, criterionOwners, roleMembers } from './people.js';
import { isClosed } from './outcome.js';

// What waits for one person, computed once: `todo` and Slack's App Home both show exactly this.

export type TodoItem =
  | { kind: 'criterion'; criterion: CriterionState }
  /** `for`: the members the person signs for (themself, or those who named them delegate). */
  | { kind: 'signoff'; group: GroupState; for: string[] }
  | { kind: 'decision' };

export interface ReleaseTodo {
  release: Release;
  readiness: Readiness;
  /** When it is all due: the implementation instant. */
  due: Date;
  items: TodoItem[];
}

/**
 * Criteria the person (or someone they stand in for) owns that are not met, sign-offs they still
 * owe a group that has not reached its quorum, and a decision when they are an approver and there
 * is no current one. Closed releases wait for nobody. Soonest due first.
 */
export function todoFor(personId: string | readonly string[], releases: readonly Release[], now: Date, evaluated?: ReadonlyMap<Release, Readiness>): ReleaseTodo[] {
  const todos: ReleaseTodo[] = [];
  for (const release of releases) {
    if (isClosed(release)) continue;
    // Many people are looked up against the same releases in one digest pass: evaluate each once.
    const readiness = evaluated?.get(release) ?? evaluate(release, now);
    const items: TodoItem[] = [];
    for (const c of readiness.criteria) {
      if (c.state === 'met') continue;
      if (actingFor(personId, criterionOwners(release, c.criterion), release.delegates).length === 0) continue;
      items.push({ kind: 'criterion', criterion: c });
    }
    for (const g of readiness.groups) {
      if (g.state === 'met') continue;
      const owed = actingFor(personId, g.group.members, g.group.delegates).filter((p) => g.waitingFor.includes(p));
      if (owed.length > 0) items.push({ kind: 'signoff', group: g, for: owed });
    }
    const approver = actingFor(personId, roleMembers(release, release.approverRole), release.delegates).length > 0;
    if (approver && (!readiness.decision || readiness.decision.stale)) items.push({ kind: 'decision' });
    if (items.length > 0) todos.push({ release, readiness, due: readiness.due.at, items });
  }
  return todos.sort((a, b) => a.due.getTime() - b.due.getTime() || a.release.id.localeCompare(b.release.id));
}
