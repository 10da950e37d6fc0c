import type { Release } from './release.js';
import { evaluateCore, type Verdict } from './readiness.js';

const RANK: Record<Verdict, number> = { GO: 2, PENDING: 1, 'NO-GO': 0 };
const MAX_WHAT = 500;

/**
 * Compares the verdict over criteria, risks and switches before and after one change. When it
 * dropped (GO to PENDING, GO or PENDING to NO-GO) or a new item started failing, marks `after`
 * as worsened now: every sign-off given before this point no longer counts towards a quorum.
 * Review groups and the decision are left out, so signing off or deciding never worsens anything.
 */
export function markWorsening(before: Release, after: Release, at: string): void {
  const was = evaluateCore(before);
  const now = evaluateCore(after);
  const key = (b: { kind: string; ref: string }) => `${b.kind}:${b.ref}`;
  const failedBefore = new Set(was.blockers.filter((b) => b.failed).map(key));
  const newlyFailed = now.blockers.filter((b) => b.failed && !failedBefore.has(key(b)));
  const dropped = RANK[now.verdict] < RANK[was.verdict];
  if (!dropped && newlyFailed.length === 0) return;

  const blockedBefore = new Set(was.blockers.map(key));
  const newBlockers = newlyFailed.length > 0 ? newlyFailed : now.blockers.filter((b) => !blockedBefore.has(key(b)));
  const head = dropped ? `${was.verdict} to ${now.verdict}` : `new failure while ${now.verdict}`;
  const detail = newBlockers.map((b) => b.what).join('; ');
  const what = detail === '' ? head : `${head}: ${detail}`;
  after.worsened = {
    at,
    what: what.length > MAX_WHAT ? `${what.slice(0, MAX_WHAT - 1)}…` : what,
    signoffs: after.groups.map((g) => ({ group: g.id, count: g.signoffs.length })),
  };
}
