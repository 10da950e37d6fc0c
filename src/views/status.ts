import type { Release } from '../domain/release.js';
import type { Readiness, CriterionState, GroupState } from '../domain/readiness.js';
import { timeLeft, uncoveredHolidayYear } from '../domain/calendar.js';
import { roleMembers } from '../domain/people.js';
import { b, divider, heading, link, note, paragraph, people, t, user, type Block, type ItemBlock, type Span, type Status, type View } from './elements.js';
import { ANSWER_WORDS, day, implementationText, verdictText, when } from './format.js';
import { factsBlocks } from './facts.js';
import { blockerLines } from './blockers.js';
import { recordNote } from './messages.js';
import { afterTheDate } from './outcome.js';
import { lateTexts } from './late.js';

const ITEM_STATUS = { met: 'ok', failed: 'failed', pending: 'pending' } as const;

/** A message golive decided to send but could not deliver: the managers should know it is missing. */
export interface Undelivered {
  what: string;
  where: string;
  error: string;
  tries: number;
  /** Every try failed (dead-lettered), rather than refused once for good. */
  gaveUp: boolean;
}

/** The newest audit entry, shown so people can later prove the record still holds what they saw. */
export interface RecordHead {
  seq: number;
  head: string;
}

/** The whole state of a release: verdict first, then every part, then what blocks. */
export function statusView(release: Release, readiness: Readiness, now: Date, undelivered: readonly Undelivered[] = [], record?: RecordHead): View {
  return statusViewAt(release, readiness, statusTimes(release, readiness, now), undelivered, record);
}

/** All a status shows that depends on the time, as text: the rest depends only on the release and its evaluation. */
export interface StatusTimes {
  /** How long until (or since) the implementation instant. */
  left: string;
  /** The outcome recorded, or that the date went by without one. */
  after: Span[] | undefined;
}

export function statusTimes(release: Release, readiness: Readiness, now: Date): StatusTimes {
  return {
    left: readiness.due.passed ? timeLeft(now, readiness.due.at) : `in ${timeLeft(now, readiness.due.at)}`,
    after: afterTheDate(release, now),
  };
}

/** statusView with its time-dependent text worked out already. */
export function statusViewAt(release: Release, readiness: Readiness, { left, after }: StatusTimes, undelivered: readonly Undelivered[] = [], record?: RecordHead): View {
  const zone = release.implementation.zone;
  const blocks: Block[] = [
    heading(`${release.name}: ${verdictText(readiness)}`),
    paragraph(b('Implementation: '), t(`${implementationText(release.implementation)}, ${left}`)),
    note(t(`Release ${release.id} · template ${release.template} · managers `), ...people(release.managers)),
  ];
  if (after) blocks.splice(1, 0, paragraph(...after));
  const moved = release.dateChanges.at(-1);
  if (moved) {
    blocks.push(note(t(`Date moved from ${day(moved.from.date)} to ${day(moved.to.date)} on ${when(moved.at, zone)} by `), user(moved.by), t(`: ${moved.reason}`)));
  }
  const uncovered = holidayCoverageWarning(release.implementation.date, release.holidays);
  if (uncovered) blocks.push(note(b('Warning: '), t(uncovered)));
  blocks.push(divider(), heading('Acceptance criteria'), ...readiness.criteria.map((c) => criterionItem(c, zone)));
  if (readiness.groups.length > 0) blocks.push(heading('Review groups'), ...readiness.groups.map((g) => groupItem(g, zone)));
  if (release.risks.length > 0) blocks.push(heading('Residual risks'), ...riskItems(release));
  if (release.switches.length > 0) blocks.push(heading('Guarded switches'), ...switchItems(release));
  blocks.push(heading('Facts'), ...factsBlocks(release.facts, zone));
  blocks.push(heading('Decision'), decisionItem(release, readiness));
  const blockersTitle = readiness.override ? `Blockers overridden by the ${release.approverRole} (${readiness.blockers.length})` : `Blockers (${readiness.blockers.length})`;
  blocks.push(divider(), heading(readiness.blockers.length === 0 ? 'Nothing blocks go-live' : blockersTitle));
  blocks.push(...blockerLines(readiness.blockers, zone));
  if (undelivered.length > 0) {
    blocks.push(heading(`Not delivered (${undelivered.length})`), ...undelivered.map((u) => paragraph(b(`${u.what} `), t(`to ${u.where}: ${u.error} (${triesText(u)})`))));
  }
  if (record) blocks.push(recordNote(record.seq, record.head));
  return { title: `${release.name}: ${verdictText(readiness)}`, blocks };
}

const triesText = (u: Undelivered) => {
  const tries = `${u.tries} ${u.tries === 1 ? 'try' : 'tries'}`;
  return u.gaveUp ? `gave up after ${tries}` : `not retried after ${tries}`;
};

/** Said wherever the date is set or shown when the holiday list stops short of the implementation year. */
export function holidayCoverageWarning(date: string, holidays: readonly string[]): string | undefined {
  const year = uncoveredHolidayYear(date, holidays);
  return year === undefined ? undefined : `The holiday calendar of this release lists no holidays in ${year}: working days are counted without holidays that year.`;
}

export function criterionItem(c: CriterionState, zone: string): ItemBlock {
  const status: Status = c.state === 'failed' ? 'failed' : c.stale ? 'stale' : ITEM_STATUS[c.state];
  const owners: Span[] = [t('Owners: '), ...people(c.owners, 'nobody assigned')];
  if (c.criterion.owners.roles.length > 0) owners.push(t(` (role ${c.criterion.owners.roles.join(', ')})`));
  const lines: Span[][] = [owners];
  const r = c.latest;
  if (r) {
    const answer: Span[] = [b(ANSWER_WORDS[r.answer]), t(' by '), user(r.by)];
    if (r.onBehalfOf) answer.push(t(' for '), user(r.onBehalfOf));
    answer.push(t(` on ${when(r.at, zone)}`));
    if (r.comment) answer.push(t(`: ${r.comment}`));
    lines.push(answer);
    if (r.evidence.length > 0) lines.push([t('Evidence: '), ...r.evidence.flatMap((url, i) => (i === 0 ? [link(url)] : [t(' · '), link(url)]))]);
  }
  if (c.rule) lines.push([t(`Rule: ${c.rule.reason}`)]);
  if (c.state !== 'met' || c.stale) lines.push([b(c.detail)]);
  if (r) for (const late of lateTexts(c.lateFor, zone, r.at)) lines.push([b(late)]);
  return { type: 'item', status, title: [b(`${c.criterion.number}. ${c.criterion.id}`), t(` ${c.criterion.text}`)], lines };
}

export function groupItem(g: GroupState, zone: string): ItemBlock {
  const { group } = g;
  const meeting = group.meeting ? `, meeting ${day(group.meeting)}` : '';
  const lines: Span[][] = [[t('Members: '), ...people(group.members, 'none yet'), t(` · quorum ${group.quorum}${meeting}`)]];
  const stale = new Map(g.stale.map((x) => [x.signoff, x.why]));
  for (const s of [...g.agreed, ...g.disagreed, ...g.stale.map((x) => x.signoff)]) {
    const line: Span[] = [user(s.onBehalfOf ?? s.by), t(` ${s.verdict === 'agree' ? 'agreed' : 'disagreed'}`)];
    if (s.onBehalfOf) line.push(t(' (signed by '), user(s.by), t(')'));
    line.push(t(` on ${when(s.at, zone)}`));
    if (s.note) line.push(t(`: ${s.note}`));
    const why = stale.get(s);
    if (why !== undefined) line.push(b(` STALE, does not count: ${why}; sign again`));
    lines.push(line);
  }
  if (g.waitingFor.length > 0) lines.push([t('Waiting for '), ...people(g.waitingFor)]);
  const summary = g.state === 'failed' ? 'disagrees' : `${g.agreed.length} of ${group.quorum} agreed`;
  return { type: 'item', status: ITEM_STATUS[g.state], title: [b(group.name), t(` ${summary}`)], lines };
}

export function riskItems(release: Release): Block[] {
  const zone = release.implementation.zone;
  return release.risks.map((risk) => {
    const lines: Span[][] = [];
    if (risk.owner) lines.push([t('Owner: '), user(risk.owner)]);
    risk.mitigations.forEach((m, i) => lines.push([t(`Mitigation ${i + 1}: ${m.text}`)]));
    for (const v of risk.views) lines.push([t(`View of ${groupName(release, v.group)}: ${v.text}`)]);
    if (risk.conditions) lines.push([t(`Conditions: ${risk.conditions}`)]);
    lines.push([t(`Status ${risk.status} since ${when(risk.statusChangedAt, zone)}`)]);
    const status: Status = risk.status === 'open' ? 'pending' : 'ok';
    return { type: 'item', status, title: [b(`R${risk.number}`), t(` ${risk.description}`)], lines } satisfies Block;
  });
}

export function switchItems(release: Release): Block[] {
  const zone = release.implementation.zone;
  return release.switches.map((sw) => {
    const last = sw.history.at(-1);
    const lines: Span[][] = [[t(`Expected ${sw.expected}; now ${sw.current ?? 'not reported'}`)]];
    if (sw.description) lines.push([t(sw.description)]);
    if (last)
      lines.push([t(`Last set ${last.to} by `), last.platform === 'hook' ? t(last.by) : user(last.by), t(` on ${when(last.at, zone)} via ${last.platform}${last.source ? ` (${last.source})` : ''}`)]);
    const status: Status = sw.current === sw.expected ? 'ok' : sw.current === undefined ? 'pending' : 'failed';
    return { type: 'item', status, title: [b(sw.key)], lines } satisfies Block;
  });
}

export function decisionItem(release: Release, readiness: Readiness): Block {
  const zone = release.implementation.zone;
  const d = readiness.decision;
  if (!d)
    return {
      type: 'item',
      status: 'pending',
      title: [t(`Waiting for the ${release.approverRole}`)],
      lines: [[t('Approvers: '), ...people(roleMembers(release, release.approverRole), 'nobody assigned')]],
    };
  const { decision } = d;
  const line: Span[] = [b(decisionWords(decision)), t(' by '), user(decision.by)];
  if (decision.onBehalfOf) line.push(t(' for '), user(decision.onBehalfOf));
  line.push(t(` on ${when(decision.at, zone)}`));
  if (decision.note) line.push(t(`: ${decision.note}`));
  const lines: Span[][] = [];
  if (decision.override) lines.push([b('Override: '), t(decision.override)]);
  if (d.stale) lines.push([b('Made on an earlier state of the release: decide again.'), t(` Since then: ${d.why ?? 'the release changed'}.`)]);
  const status: Status = decision.verdict === 'no-go' ? 'failed' : d.stale ? 'stale' : 'ok';
  return { type: 'item', status, title: line, lines };
}

/** GO, GO (override) or NO-GO, as the decision was given. */
export function decisionWords(decision: { verdict: 'go' | 'no-go'; override?: string }): string {
  return decision.verdict === 'no-go' ? 'NO-GO' : decision.override ? 'GO (override)' : 'GO';
}

export function groupName(release: Release, id: string): string {
  return release.groups.find((g) => g.id === id)?.name ?? id;
}
