import type { Release } from './release.js';
import { isQualified } from './person-id.js';

// Every place a release names a person, in one walk: managers, roles, owners, delegates, answers,
// sign-offs, decisions, risks, switch changes, facts, date changes, the outcome and its creator.

type Rename = (id: string) => string;

/** A copy of `release` with every person id passed through `rename`; nothing else changes. */
export function mapPeople(release: Release, rename: Rename): Release {
  const r = structuredClone(release);
  const many = (ids: string[]) => ids.map(rename);
  const by = <T extends { by: string; onBehalfOf?: string | undefined }>(x: T): T => ({ ...x, by: rename(x.by), ...(x.onBehalfOf !== undefined && { onBehalfOf: rename(x.onBehalfOf) }) });
  const delegates = (ds: Release['delegates']) => ds.map((d) => ({ delegate: rename(d.delegate), for: rename(d.for) }));
  const setBy = <T extends { setBy: string }>(fact: T | undefined): T | undefined => (fact === undefined ? undefined : { ...fact, setBy: rename(fact.setBy) });

  r.managers = many(r.managers);
  for (const role of Object.keys(r.roles)) r.roles[role] = many(r.roles[role]!);
  r.delegates = delegates(r.delegates);
  for (const c of r.criteria) {
    c.owners.people = many(c.owners.people);
    c.responses = c.responses.map(by);
  }
  for (const g of r.groups) {
    g.members = many(g.members);
    g.delegates = delegates(g.delegates);
    g.signoffs = g.signoffs.map(by);
  }
  for (const risk of r.risks) {
    risk.by = rename(risk.by);
    if (risk.owner !== undefined) risk.owner = rename(risk.owner);
    risk.mitigations = risk.mitigations.map((m) => ({ ...m, by: rename(m.by) }));
    risk.views = risk.views.map((v) => ({ ...v, by: rename(v.by) }));
  }
  for (const sw of r.switches) sw.history = sw.history.map((h) => ({ ...h, by: rename(h.by) }));
  const f = r.facts;
  if (f.defects) f.defects = setBy(f.defects);
  if (f.testingIssues) f.testingIssues = setBy(f.testingIssues);
  if (f.environment) f.environment = setBy(f.environment);
  f.phases = f.phases.map((p) => setBy(p)!);
  r.decisions = r.decisions.map(by);
  r.dateChanges = r.dateChanges.map((c) => ({ ...c, by: rename(c.by) }));
  if (r.outcome) r.outcome = by(r.outcome);
  r.createdBy = rename(r.createdBy);
  return r;
}

/** The ids a release holds without their platform, each once: written before ids were qualified. */
export function bareIds(release: Release): string[] {
  const bare = new Set<string>();
  mapPeople(release, (id) => {
    if (!isQualified(id)) bare.add(id);
    return id;
  });
  return [...bare].sort();
}
