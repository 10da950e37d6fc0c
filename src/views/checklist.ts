import type { Release } from '../domain/release.js';
import type { CriterionState, GroupState, Readiness } from '../domain/readiness.js';
import { timeLeft } from '../domain/calendar.js';
import { roleMembers } from '../domain/people.js';
import { ActionIds, actionValue } from '../app/language/action-ids.js';
import { b, note, paragraph, people, t, user, type Action, type Block, type Span, type View } from './elements.js';
import { criterionItem, decisionWords, groupItem } from './status.js';
import { implementationText, verdictText, when } from './format.js';

// The message `ask` posts and every later answer edits in place: the state of each item, whom it
// waits for, and the buttons to answer with.

export function answerActions(release: Release, criterion: { id: string; number: number }): Action[] {
  const value = actionValue({ r: release.id, c: criterion.id });
  return [
    {
      id: ActionIds.answer.met,
      label: 'Met',
      value,
      style: 'primary',
      confirm: { title: 'Confirm it is met?', text: `Criterion ${criterion.number} (${criterion.id}) of ${release.name} is met. You can add evidence next.`, yes: 'Yes, met', no: 'Cancel' },
    },
    { id: ActionIds.answer['not-met'], label: 'Not met', value, style: 'danger' },
    { id: ActionIds.answer['need-info'], label: 'Need info', value },
  ];
}

export function signoffActions(release: Release, group: { id: string; name: string }): Action[] {
  const value = actionValue({ r: release.id, g: group.id });
  return [
    {
      id: ActionIds.signoff.agree,
      label: `${group.name}: agree`.slice(0, 75),
      value,
      style: 'primary',
      confirm: { title: 'Sign off?', text: `Sign off for ${group.name} that ${release.name} is ready to go live.`, yes: 'Agree', no: 'Cancel' },
    },
    {
      id: ActionIds.signoff.disagree,
      label: `${group.name}: disagree`.slice(0, 75),
      value,
      style: 'danger',
      confirm: { title: 'Disagree?', text: `Record that ${group.name} does not agree ${release.name} is ready.`, yes: 'Disagree', no: 'Cancel' },
    },
  ];
}

export function decisionActions(release: Release): Action[] {
  const value = actionValue({ r: release.id });
  return [
    {
      id: ActionIds.decide.go,
      label: 'Decide GO',
      value,
      style: 'primary',
      confirm: { title: 'Decide GO?', text: `As ${release.approverRole}, decide that ${release.name} goes live.`, yes: 'GO', no: 'Cancel' },
    },
    {
      id: ActionIds.decide['no-go'],
      label: 'Decide NO-GO',
      value,
      style: 'danger',
      confirm: { title: 'Decide NO-GO?', text: `As ${release.approverRole}, decide that ${release.name} does not go live.`, yes: 'NO-GO', no: 'Cancel' },
    },
  ];
}

function askedCriterion(release: Release, c: CriterionState, zone: string): Block {
  const item = criterionItem(c, zone);
  const waiting: Span[][] = c.state === 'met' ? [] : [[b('Waiting for '), ...people(c.clearedBy, `role ${c.criterion.owners.roles.join(', ')} (nobody assigned)`)]];
  return { ...item, lines: [...waiting, ...item.lines.slice(1)], actions: answerActions(release, c.criterion) };
}

function askedGroup(release: Release, g: GroupState, zone: string): Block {
  return { ...groupItem(g, zone), actions: signoffActions(release, g.group) };
}

export function checklistView(release: Release, readiness: Readiness, now: Date): View {
  const zone = release.implementation.zone;
  const approvers = roleMembers(release, release.approverRole);
  const left = readiness.due.passed ? timeLeft(now, readiness.due.at) : `in ${timeLeft(now, readiness.due.at)}`;
  const decision = readiness.decision;
  const decisionLine: Span[] = decision
    ? [
        b(decisionWords(decision.decision)),
        t(' by '),
        user(decision.decision.by),
        t(` on ${when(decision.decision.at, zone)}${decision.stale ? ' (made on an earlier state of the release: decide again)' : ''}`),
      ]
    : [t('Waiting for '), ...people(approvers, `role ${release.approverRole} (nobody assigned)`)];
  const decisionLines = decision?.decision.override && !decision.stale ? [decisionLine, [b('Override: '), t(decision.decision.override)]] : [decisionLine];
  const decisionStatus = !decision ? 'pending' : decision.decision.verdict === 'no-go' ? 'failed' : decision.stale ? 'stale' : 'ok';
  const blocks: Block[] = [
    { type: 'heading', text: `Go-live checklist: ${release.name}: ${verdictText(readiness)}` },
    paragraph(b('Implementation: '), t(`${implementationText(release.implementation)}, ${left}. `), t(`${readiness.blockers.length} blocker${readiness.blockers.length === 1 ? '' : 's'}.`)),
    ...readiness.criteria.map((c) => askedCriterion(release, c, zone)),
    ...readiness.groups.map((g) => askedGroup(release, g, zone)),
    { type: 'item', status: decisionStatus, title: [b(`Decision of the ${release.approverRole}`)], lines: decisionLines, actions: decisionActions(release) },
    note(t(`Updated ${when(now, zone)}. Only a criterion's owners, a group's members and the ${release.approverRole} (or their delegates) can answer; every answer and refusal is recorded.`)),
  ];
  return { title: `Go-live checklist: ${release.name}: ${verdictText(readiness)}`, blocks };
}
