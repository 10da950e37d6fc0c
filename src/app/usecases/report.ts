import type { Release } from '../../domain/release.js';
import { evaluate, type Blocker, type CriterionState, type GroupState } from '../../domain/readiness.js';
import { ANSWER_WORDS, day, verdictText, when } from '../../views/format.js';
import { decisionWords, groupName, type RecordHead } from '../../views/status.js';
import { shortHead } from '../../views/messages.js';
import { stripControls } from '../../domain/control-chars.js';
import { isOverdue, OUTCOME_WORDS } from '../../domain/outcome.js';
import { CLOSE_HINT, sinceDue } from '../../views/outcome.js';
import { lateTexts } from '../../views/late.js';
import { lateEvidence, type GroupLateEvidence } from '../../domain/late-evidence.js';

// The decision paper, in the shape of the seed paper, built from the record alone: every line
// below is read from the release; nothing is typed in by hand.

/**
 * User text made inert in Markdown: no stray emphasis, links, HTML or broken tables, and on one
 * line. A lone carriage return counts as a line break too (older records may hold one), and any
 * control character left from them is dropped.
 */
export function md(text: string): string {
  return stripControls(text.replace(/\r\n?|[\n\u2028\u2029]/g, ' ')).replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`);
}

const person = (id: string) => `@${md(id)}`;
const persons = (ids: readonly string[]) => (ids.length === 0 ? 'nobody assigned' : ids.map(person).join(', '));

export function decisionPaper(release: Release, now: Date, record?: RecordHead): string {
  const zone = release.implementation.zone;
  const readiness = evaluate(release, now);
  const date = day(release.implementation.date);
  const name = md(release.name);
  const groupNames = release.groups.map((g) => md(g.name));
  const out: string[] = [];
  let section = 0;
  const head = (title: string) => out.push('', `## ${++section}. ${title}`, '');

  out.push(`# Approval to implement the ${name}`, '');
  out.push(`Release \`${release.id}\` · template \`${release.template}\` · generated ${when(now, zone)} from the golive record · verdict **${verdictText(readiness)}**`);
  if (record) {
    out.push(
      '',
      `Audit record: entry ${record.seq}, head \`${shortHead(record.head)}\`. Anyone can check later that the record still holds this paper's basis: \`/release audit verify --head ${shortHead(record.head)}\`.`,
    );
  }

  const outcome = outcomeLine(release, now);
  if (outcome) out.push('', outcome);

  head('Purpose');
  out.push(
    `The ${name} is due to be implemented on ${date} at ${release.implementation.time} (${release.implementation.zone}). ` +
      `Before the changes can go live, the ${md(release.approverRole)} is required to review progress against the acceptance criteria and give final approval to proceed.`,
  );
  for (const c of release.dateChanges) {
    out.push('', `The implementation date moved from ${day(c.from.date)} ${c.from.time} to ${day(c.to.date)} ${c.to.time} on ${when(c.at, zone)} (${person(c.by)}): ${md(c.reason)}.`);
  }
  if (groupNames.length > 0) out.push('', `This paper summarises the views of ${groupNames.join(' and ')} and requests that the ${md(release.approverRole)} approves the release to go live.`);

  head('Acceptance criteria');
  out.push('The following criteria need to be met before the release can go live:', '');
  for (const c of readiness.criteria) out.push(...criterionLines(c, zone));

  const late = lateEvidence(release);
  for (const g of readiness.groups) {
    head(`Views of ${md(g.group.name)}`);
    out.push(...groupLines(g, zone));
    const arrivals = late.find((l) => l.group === g.group);
    if (arrivals) out.push('', ...lateArrivalLines(arrivals, zone));
  }

  head('Residual risks');
  if (release.risks.length === 0) out.push('No residual risks are recorded.');
  else {
    out.push('| Residual risk | Proposed approach | Views | Status |', '| --- | --- | --- | --- |');
    for (const risk of release.risks) {
      const approach = risk.mitigations.map((m, i) => `${i + 1}. ${md(m.text)}`).join('<br>') || 'none recorded';
      const views = risk.views.map((v) => `${md(groupName(release, v.group))}: ${md(v.text)}`).join('<br>') || 'none recorded';
      const status = risk.status.replace(/-/g, ' ') + (risk.conditions ? `: ${md(risk.conditions)}` : '');
      out.push(`| R${risk.number}. ${md(risk.description)}${risk.owner ? ` (owner ${person(risk.owner)})` : ''} | ${approach} | ${views} | ${status} |`);
    }
  }

  if (release.switches.length > 0) {
    head('Guarded switches');
    for (const sw of release.switches) {
      const last = sw.history.at(-1);
      out.push(
        `- **${md(sw.key)}**${sw.description ? ` (${md(sw.description)})` : ''}: expected ${sw.expected}, now ${sw.current ?? 'not reported'}${last ? `, last set by ${person(last.by)} on ${when(last.at, zone)}` : ''}; ${sw.history.length} recorded change${sw.history.length === 1 ? '' : 's'}.`,
      );
    }
  }

  head('Decision');
  const d = readiness.decision;
  if (!d) out.push(`The ${md(release.approverRole)} has not decided yet.`);
  else {
    out.push(
      `The ${md(release.approverRole)} decided **${decisionWords(d.decision)}** on ${when(d.decision.at, zone)} (${person(d.decision.by)}${d.decision.onBehalfOf ? ` for ${person(d.decision.onBehalfOf)}` : ''})${d.decision.note ? `: ${md(d.decision.note)}` : '.'}`,
    );
    if (d.decision.override) out.push('', `Override: ${md(d.decision.override)}`);
    if (d.stale) out.push('', `That decision was made on an earlier state of the release, and must be made again. Since then: ${md(d.why ?? 'the release changed')}.`);
  }

  head('Recommendation');
  if (readiness.override) {
    const o = readiness.override;
    out.push(
      `The ${md(release.approverRole)} decided to go ahead (**GO (override)**) on ${when(o.at, zone)} (${person(o.by)}${o.onBehalfOf ? ` for ${person(o.onBehalfOf)}` : ''}) although ${readiness.blockers.length} item${readiness.blockers.length === 1 ? '' : 's'} still blocked the ${name}.`,
      '',
      `Reason for the override: ${md(o.reason)}`,
      '',
      'Overridden:',
      '',
    );
    for (const blocker of readiness.blockers) out.push(blockerLine(blocker, zone));
  } else if (readiness.verdict === 'GO') {
    out.push(
      `Based on ${groupNames.length > 0 ? `the views of ${groupNames.join(' and ')}` : 'the record'}, the ${name} is ready to be set live on ${date}.`,
      '',
      `The ${md(release.approverRole)} is requested to:`,
      '',
      `- NOTE the views and recommendations${groupNames.length > 0 ? ` of ${groupNames.join(' and ')}` : ''}; and`,
      `- AGREE that the ${name} can be set live on ${date}.`,
    );
  } else {
    out.push(`The ${name} is **not** ready to be set live on ${date} (${readiness.verdict}). Outstanding:`, '');
    for (const blocker of readiness.blockers) out.push(blockerLine(blocker, zone));
  }
  if (outcome) {
    head('Outcome');
    out.push(outcome);
  }
  out.push('');
  return out.join('\n');
}

/** How the release ended, as the managers recorded it; or that nobody has said, once its date has passed. */
function outcomeLine(release: Release, now: Date): string | undefined {
  const o = release.outcome;
  if (o) return `**Outcome: ${OUTCOME_WORDS[o.result]}**, recorded by ${person(o.by)} on ${when(o.at, release.implementation.zone)}${o.note ? `: ${md(o.note)}` : '.'}`;
  if (isOverdue(release, now)) return `**OVERDUE**: the ${md(release.name)} went past its date ${sinceDue(release, now)} without an outcome being recorded (${md(CLOSE_HINT)}).`;
  return undefined;
}

function blockerLine(blocker: Blocker, zone: string): string {
  return `- ${blocker.failed ? 'FAILED' : 'Waiting'}: ${md(blocker.what)} (owner ${persons(blocker.owners)}${blocker.ownerRoles.length > 0 ? `, role ${blocker.ownerRoles.map(md).join(', ')}` : ''}; since ${when(blocker.since, zone)})`;
}

function criterionLines(c: CriterionState, zone: string): string[] {
  const state = c.state === 'met' ? 'MET' : c.state === 'failed' ? 'NOT MET' : c.stale ? 'STALE' : 'PENDING';
  const roles = c.criterion.owners.roles.length > 0 ? ` (${c.criterion.owners.roles.map(md).join(', ')})` : '';
  const lines = [
    `${c.criterion.number}. **${md(c.criterion.id)}**: ${md(c.criterion.text)}`,
    `   - State: **${state}**${c.detail === 'met' ? '' : `: ${md(c.detail)}`}`,
    `   - Owners: ${persons(c.owners)}${roles}`,
  ];
  const r = c.latest;
  if (r) {
    lines.push(`   - Answer: ${ANSWER_WORDS[r.answer]} by ${person(r.by)}${r.onBehalfOf ? ` for ${person(r.onBehalfOf)}` : ''} on ${when(r.at, zone)}${r.comment ? `: ${md(r.comment)}` : ''}`);
    if (r.evidence.length > 0) lines.push(`   - Evidence: ${r.evidence.map((url) => `<${url.replace(/[<>\s\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, encodeURIComponent)}>`).join(', ')}`);
  }
  if (r) for (const late of lateTexts(c.lateFor, zone, r.at, md)) lines.push(`   - **${late}**`);
  return lines;
}

/** What reached the group after its evidence deadline: the reviewers' complaint in the seed paper. */
function lateArrivalLines({ group, deadline, items }: GroupLateEvidence, zone: string): string[] {
  if (items.length === 0) return [`All evidence arrived before the ${md(group.name)}'s deadline (${when(deadline, zone)}).`];
  return [
    `Evidence that arrived after the ${md(group.name)}'s deadline (${when(deadline, zone)}):`,
    '',
    ...items.map(({ criterion, response: r, current }) => {
      const what = r.answer === 'need-info' ? 'asked for more information' : `answered ${ANSWER_WORDS[r.answer]}`;
      const evidence = r.evidence.length === 0 ? '' : `, ${r.evidence.length} evidence link${r.evidence.length === 1 ? '' : 's'}`;
      const by = `${person(r.by)}${r.onBehalfOf ? ` for ${person(r.onBehalfOf)}` : ''}`;
      return `- criterion ${criterion.number} ${md(criterion.id)} ${what} on ${when(r.at, zone)} by ${by}${evidence}${current ? '' : ' (since replaced)'}`;
    }),
  ];
}

function groupLines(g: GroupState, zone: string): string[] {
  const { group } = g;
  const lines = [`Members: ${persons(group.members)}; quorum ${group.quorum}${group.meeting ? `; met on ${day(group.meeting)}` : ''}.`, ''];
  const stale = new Map(g.stale.map((x) => [x.signoff, x.why]));
  for (const s of [...g.agreed, ...g.disagreed, ...g.stale.map((x) => x.signoff)]) {
    const why = stale.get(s);
    const staleNote = why === undefined ? '' : ` (**STALE**, does not count: ${md(why)})`;
    lines.push(
      `- ${person(s.onBehalfOf ?? s.by)} ${s.verdict === 'agree' ? 'agreed' : 'disagreed'}${s.onBehalfOf ? ` (signed by delegate ${person(s.by)})` : ''} on ${when(s.at, zone)}${s.note ? `: ${md(s.note)}` : ''}${staleNote}`,
    );
  }
  if (g.waitingFor.length > 0) lines.push(`- Not yet signed: ${persons(g.waitingFor)}`);
  lines.push(
    '',
    g.state === 'met'
      ? `${md(group.name)} agreed that the go-live criteria have been met and that the release is ready to be set live.`
      : g.state === 'failed'
        ? `${md(group.name)} does not agree that the release is ready to be set live.`
        : `${md(group.name)} has not yet reached its quorum of ${group.quorum}.`,
  );
  return lines;
}
