import type { Release } from '../domain/release.js';
import { evaluate } from '../domain/readiness.js';
import { actingFor, criterionOwners, roleMembers } from '../domain/people.js';
import { b, heading, note, paragraph, t, type Block, type View } from './elements.js';
import { criterionItem, groupItem } from './status.js';
import { answerActions, decisionActions, signoffActions } from './checklist.js';
import { implementationText, verdictText } from './format.js';

/** What waits for one person across every release: their criteria, sign-offs and decisions. */
export function homeView(personId: string, releases: readonly Release[], now: Date): View {
  const blocks: Block[] = [heading('Waiting for you')];
  let count = 0;
  for (const release of releases) {
    const readiness = evaluate(release, now);
    const zone = release.implementation.zone;
    const mine: Block[] = [];
    for (const c of readiness.criteria) {
      if (c.state === 'met') continue;
      if (actingFor(personId, criterionOwners(release, c.criterion), release.delegates).length === 0) continue;
      mine.push({ ...criterionItem(c, zone), actions: answerActions(release, c.criterion) });
    }
    for (const g of readiness.groups) {
      const principals = actingFor(personId, g.group.members, g.group.delegates);
      if (g.state === 'met' || principals.length === 0 || principals.every((p) => !g.waitingFor.includes(p))) continue;
      mine.push({ ...groupItem(g, zone), actions: signoffActions(release, g.group) });
    }
    const approver = actingFor(personId, roleMembers(release, release.approverRole), release.delegates).length > 0;
    if (approver && (!readiness.decision || readiness.decision.stale)) {
      mine.push({ type: 'item', status: 'pending', title: [b(`Decide go or no-go as ${release.approverRole}`)], lines: [[t(`Verdict now: ${verdictText(readiness)}, ${readiness.blockers.length} blocker(s)`)]], actions: decisionActions(release) });
    }
    if (mine.length === 0) continue;
    count += mine.length;
    blocks.push(heading(`${release.name}: ${verdictText(readiness)}`), note(t(`${release.id} · implementation ${implementationText(release.implementation)}`)), ...mine);
  }
  if (count === 0) blocks.push(paragraph(t('Nothing waits for you. `/release list` shows every release.')));
  return { title: 'golive', blocks };
}
