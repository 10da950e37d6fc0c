import type { Release } from './release.js';
import { isQualified } from './person-id.js';

// Every place a release names a person, in one walk: managers, roles, owners, delegates, answers,
// sign-offs, decisions, risks, switch changes, facts, date changes, the outcome and its creator.

type Rename = (id: string) => string;

/** A copy of `release` with every person id passed through `rename`; nothing else changes. */
export function mapPeople(release: Release, rename: Rename): Release {
  const r = structuredClone(release);
  renameIn(r, rename);
  return r;
}

/**
 * Passes every person id of `r` through `rename`, in place, assigning only the ids it changes: a
 * rename that changes none (bareIds' look) leaves `r` untouched, so a release can be read
 * without the copy mapPeople makes.
 */
function renameIn(r: Release, rename: Rename): void {
  const at = <K extends string>(holder: { [key in K]: string }, key: K) => {
    const to = rename(holder[key]);
    if (to !== holder[key]) holder[key] = to;
  };
  const many = (ids: string[]) => {
    for (let n = 0; n < ids.length; n++) {
      const to = rename(ids[n]!);
      if (to !== ids[n]) ids[n] = to;
    }
  };
  const by = (x: { by: string; onBehalfOf?: string | undefined }) => {
    at(x, 'by');
    if (x.onBehalfOf !== undefined) at(x as { onBehalfOf: string }, 'onBehalfOf');
  };
  const delegates = (ds: Release['delegates']) => {
    for (const d of ds) {
      at(d, 'delegate');
      at(d, 'for');
    }
  };
  const setBy = (fact: { setBy: string } | undefined) => {
    if (fact !== undefined) at(fact, 'setBy');
  };

  many(r.managers);
  for (const role of Object.keys(r.roles)) many(r.roles[role]!);
  delegates(r.delegates);
  for (const c of r.criteria) {
    many(c.owners.people);
    c.responses.forEach(by);
  }
  for (const g of r.groups) {
    many(g.members);
    delegates(g.delegates);
    g.signoffs.forEach(by);
  }
  for (const risk of r.risks) {
    at(risk, 'by');
    if (risk.owner !== undefined) at(risk as { owner: string }, 'owner');
    for (const m of risk.mitigations) at(m, 'by');
    for (const v of risk.views) at(v, 'by');
  }
  for (const sw of r.switches) for (const h of sw.history) at(h, 'by');
  const f = r.facts;
  setBy(f.defects);
  setBy(f.testingIssues);
  setBy(f.environment);
  f.phases.forEach(setBy);
  r.decisions.forEach(by);
  for (const c of r.dateChanges) at(c, 'by');
  if (r.outcome) by(r.outcome);
  at(r, 'createdBy');
}

/** The ids a release holds without their platform, each once: written before ids were qualified. */
export function bareIds(release: Release): string[] {
  const bare = new Set<string>();
  // Read in place: the walk assigns nothing when every id comes back as it was.
  renameIn(release, (id) => {
    if (!isQualified(id)) bare.add(id);
    return id;
  });
  return [...bare].sort();
}
