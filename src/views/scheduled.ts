import type { Release } from '../domain/release.js';
import type { Readiness } from '../domain/readiness.js';
import type { CriterionDue } from '../domain/schedule-audience.js';
import type { GroupLateEvidence } from '../domain/late-evidence.js';
import { b, divider, heading, note, paragraph, people, t, user, type Block, type View } from './elements.js';
import { criterionOwners } from '../domain/people.js';
import { implementationText, when } from './format.js';
import { blockerLines } from './blockers.js';
import { factsBlocks } from './facts.js';
import { decisionItem, groupItem, groupName, riskItems, switchItems } from './status.js';

// What golive says on its own, at the points of the release's schedule. Every view names the
// release and its date, so a direct message read on its own still says what it is about.

const WHY: Record<CriterionDue['why'], string> = { unanswered: 'not answered yet', stale: 'answered before something changed: confirm again', 'need-info': 'more information was asked for' };

function criterionLines(release: Release, items: readonly CriterionDue[]): Block[] {
  return items.map((item) => {
    const c = release.criteria.find((x) => x.id === item.criterion);
    return paragraph(b(`${item.number}. `), t(c?.text ?? item.criterion), t(` (${item.criterion}): ${WHY[item.why]}`));
  });
}

const howToAnswer = (release: Release) => note(t(`Answer with /release confirm <criterion> met|not-met|need-info "comment" --evidence <link> (release ${release.id}).`));

/** The kickoff, to one owner: what is theirs to answer. */
export function kickoffView(release: Release, items: readonly CriterionDue[]): View {
  const blocks: Block[] = [
    heading(`${release.name}: what is yours`),
    paragraph(
      t(`golive runs the go-live checklist of ${release.name}, due ${implementationText(release.implementation)}. `),
      t(items.length === 1 ? 'One criterion is yours to answer:' : `${items.length} criteria are yours to answer:`),
    ),
    ...criterionLines(release, items),
    howToAnswer(release),
  ];
  if (items.length === 0) blocks.splice(1, 2, paragraph(t(`Nothing of ${release.name} waits for you now.`)));
  return { title: `${release.name}: what is yours`, blocks };
}

/** A reminder (or the reminder before an evidence deadline), to one owner: all of their items in one message. */
export function reminderView(release: Release, items: readonly CriterionDue[], deadline?: { group: string; at: Date }): View {
  const zone = release.implementation.zone;
  const title = `Reminder: ${release.name}`;
  if (items.length === 0) return { title, blocks: [heading(title), paragraph(t(`Nothing of ${release.name} waits for you any more.`))] };
  const due = deadline
    ? t(`The evidence for ${deadline.group} is due ${when(deadline.at, zone)}; the release is due ${implementationText(release.implementation)}.`)
    : t(`The release is due ${implementationText(release.implementation)}.`);
  return {
    title,
    blocks: [
      heading(title),
      paragraph(due, t(items.length === 1 ? ' One criterion waits for you:' : ` ${items.length} criteria wait for you:`)),
      ...criterionLines(release, items),
      howToAnswer(release),
    ],
  };
}

/** An evidence deadline, in the linked channels: the group, its deadline, and what is still missing. */
export function evidenceDeadlineView(release: Release, group: string, deadline: Date | undefined, missing: readonly CriterionDue[]): View {
  const zone = release.implementation.zone;
  const title = `Evidence deadline for ${group}: ${release.name}`;
  const at = deadline ? when(deadline, zone) : 'now';
  const blocks: Block[] = [heading(title), paragraph(t(`Evidence for ${group} is due ${at}. What arrives after it is marked late in the checklist, the announcement and the paper.`))];
  if (missing.length === 0) blocks.push(paragraph(b('Nothing is missing.')));
  else blocks.push(paragraph(b(`Still missing (${missing.length}):`)), ...criterionLines(release, missing).map((line, i) => withOwners(release, line, missing[i]!)));
  return { title, blocks };
}

function withOwners(release: Release, line: Block, item: CriterionDue): Block {
  if (line.type !== 'paragraph') return line;
  const c = release.criteria.find((x) => x.id === item.criterion);
  const owners = c ? criterionOwners(release, c) : [];
  return { ...line, content: [...line.content, t(' · owner '), ...people(owners, 'nobody assigned')] };
}

/** Escalation, to one manager: every open blocker and who can clear it. */
export function escalationView(release: Release, readiness: Readiness): View {
  const zone = release.implementation.zone;
  const title = `Escalation: ${release.name} is ${readiness.verdict}`;
  const open = readiness.blockers.length;
  return {
    title,
    blocks: [
      heading(title),
      paragraph(
        t(`Due ${implementationText(release.implementation)}. `),
        b(open === 0 ? 'Nothing blocks go-live now.' : open === 1 ? 'One item still blocks go-live:' : `${open} items still block go-live:`),
      ),
      ...blockerLines(readiness.blockers, zone),
    ],
  };
}

function verdictLine(readiness: Readiness): string {
  if (readiness.override) return 'GO (override)';
  return readiness.verdict;
}

/**
 * THE announcement, ahead of the date: the verdict first, unmistakable; then every blocker with who
 * can clear it, accepted risks and their conditions, switches, facts, who decided and when, late
 * evidence per group, and how to get the paper. The audit head is added as the message's record note.
 */
export function goNoGoView(release: Release, readiness: Readiness, late: readonly GroupLateEvidence[]): View {
  const zone = release.implementation.zone;
  const verdict = verdictLine(readiness);
  const first =
    readiness.verdict === 'GO' && !readiness.override
      ? `GO: ${release.name} is cleared to go live ${implementationText(release.implementation)}.`
      : readiness.override
        ? `GO (override): ${release.name} goes live ${implementationText(release.implementation)} although ${readiness.blockers.length} ${readiness.blockers.length === 1 ? 'item blocks' : 'items block'} it.`
        : readiness.verdict === 'NO-GO'
          ? `NO-GO: ${release.name} must not go live ${implementationText(release.implementation)}.`
          : `NOT READY (PENDING): ${release.name} has no GO for ${implementationText(release.implementation)}; it must not go live as it stands.`;
  const blocks: Block[] = [heading(first)];
  if (readiness.override) {
    const o = readiness.override;
    blocks.push(paragraph(b('Override: '), t(`${o.reason} · by `), user(o.by), ...(o.onBehalfOf ? [t(' for '), user(o.onBehalfOf)] : []), t(` on ${when(o.at, zone)}`)));
  }
  blocks.push(
    heading(readiness.blockers.length === 0 ? 'Nothing blocks go-live' : `${readiness.override ? 'Overridden blockers' : 'Blockers'} (${readiness.blockers.length})`),
    ...blockerLines(readiness.blockers, zone),
  );
  const accepted = release.risks.filter((r) => r.status.startsWith('accepted'));
  if (release.risks.length > 0) blocks.push(heading(`Residual risks (${accepted.length} accepted)`), ...riskItems(release));
  if (release.switches.length > 0) blocks.push(heading('Guarded switches'), ...switchItems(release));
  blocks.push(heading('Facts'), ...factsBlocks(release.facts, zone));
  if (readiness.groups.length > 0) blocks.push(heading('Review groups'), ...readiness.groups.map((g) => groupItem(g, zone)));
  blocks.push(heading('Decision'), decisionItem(release, readiness));
  const lateGroups = late.filter((g) => g.items.length > 0);
  if (late.length > 0) {
    blocks.push(heading('Late evidence'));
    for (const g of late) {
      const items = g.items.map((i) => `${i.criterion.number}. ${i.criterion.id} (${when(i.response.at, zone)})`);
      blocks.push(
        paragraph(
          b(`${groupName(release, g.group.id)}: `),
          t(items.length === 0 ? `everything arrived by its deadline ${when(g.deadline, zone)}.` : `after its deadline ${when(g.deadline, zone)}: ${items.join('; ')}.`),
        ),
      );
    }
    if (lateGroups.length === 0) blocks.push(note(t('No evidence arrived late.')));
  }
  blocks.push(divider(), note(t(`The paper: /release report (release ${release.id}). Verdict ${verdict}.`)));
  return { title: `${verdict}: ${release.name}`, blocks };
}

/** On the day: the go-live announcement on GO, the no-go notice otherwise. */
export function goLiveView(release: Release, readiness: Readiness): View {
  const zone = release.implementation.zone;
  if (readiness.verdict === 'GO') {
    const title = readiness.override ? `GO (override): ${release.name} goes live now` : `GO: ${release.name} goes live now`;
    return {
      title,
      blocks: [
        heading(title),
        paragraph(t(`Implementation ${implementationText(release.implementation)}.`)),
        decisionItem(release, readiness),
        note(t(`When it is done, a manager records the outcome: /release close went-live|rolled-back|cancelled.`)),
      ],
    };
  }
  const title = `NO-GO: ${release.name} does not go live`;
  return {
    title,
    blocks: [
      heading(title),
      paragraph(t(`The implementation set for ${implementationText(release.implementation)} has no GO (verdict ${readiness.verdict}). Do not deploy.`)),
      ...blockerLines(readiness.blockers, zone),
      note(t('Move the date with /release date, or record the outcome with /release close cancelled.')),
    ],
  };
}

/** After the date, to one manager: what happened? */
export function outcomeAskView(release: Release): View {
  const title = `How did ${release.name} go?`;
  return {
    title,
    blocks: [
      heading(title),
      paragraph(t(`${release.name} was due ${implementationText(release.implementation)}. Record its outcome so reminders stop and the paper is complete:`)),
      paragraph(t('/release close went-live|rolled-back|cancelled ["note"]', 'code')),
    ],
  };
}
