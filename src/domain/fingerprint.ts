import { createHash } from 'node:crypto';
import { canonicalJson } from './audit.js';
import type { Facts, Release } from './release.js';

/**
 * The sha256 of everything the verdict reads except the decisions themselves: a decision records
 * it as its basis, and is stale as soon as the release no longer has that state. Re-entering the
 * same figures (only `setAt`/`setBy` move) is not a change, as it is not for answers.
 */
export function stateFingerprint(release: Release): string {
  const state = {
    implementation: release.implementation,
    dateChanges: release.dateChanges,
    holidays: release.holidays,
    roles: release.roles,
    delegates: release.delegates,
    approverRole: release.approverRole,
    criteria: release.criteria,
    groups: release.groups,
    risks: release.risks,
    switches: release.switches,
    facts: factValues(release.facts),
    worsened: release.worsened ?? null,
  };
  return createHash('sha256').update(canonicalJson(state), 'utf8').digest('hex');
}

function factValues(facts: Facts): unknown {
  const strip = <T extends { setAt: string; setBy: string }>(fact: T | undefined) => {
    if (fact === undefined) return null;
    const { setAt: _at, setBy: _by, ...value } = fact;
    return value;
  };
  return {
    defects: strip(facts.defects),
    testingIssues: strip(facts.testingIssues),
    phases: facts.phases.map(strip),
    environment: strip(facts.environment),
  };
}
