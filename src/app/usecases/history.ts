import type { Command } from '../language/commands.js';
import type { AuditEntry } from '../../domain/audit-entry.js';
import type { Criterion, Release, ReviewGroup, Risk, Switch } from '../../domain/release.js';
import { signoffStaleReason, staleReason } from '../../domain/readiness.js';
import { recordedCommand } from './recorded-command.js';
import { qualifiedAs } from '../../domain/person-id.js';
import { UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { reply } from './result.js';
import { riskListView, switchListView } from '../../views/registers.js';
import { historyView, type Timeline, type TimelineEvent } from '../../views/history.js';
import { b, t, user } from '../../views/elements.js';
import { ANSWER_WORDS } from '../../views/format.js';
import { lateTexts } from '../../views/late.js';
import { lateFor } from '../../domain/late-evidence.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;
type Kind = NonNullable<Of<'history'>['kind']>;
type Item = { kind: 'criterion'; criterion: Criterion } | { kind: 'group'; group: ReviewGroup } | { kind: 'switch'; sw: Switch } | { kind: 'risk'; risk: Risk };

export async function handleHistory(ctx: Ctx, cmd: Of<'history'>): Promise<Reply[]> {
  const { id, release } = await ctx.stored();
  const { item, resolved } = resolveItem(release, cmd.item, cmd.kind);
  const timeline = timelineOf(release, item, await ctx.store.audit(id));
  return [reply(historyView(release.name, release.implementation.zone, resolved ? { ...timeline, resolved } : timeline))];
}

/**
 * A name can mean several items (criterion 1 and risk R1, a group and a switch both called
 * "tag"): the first in the order criterion, group, switch, risk is taken and the person is told
 * which, and how to ask for the others.
 */
export function resolveItem(release: Release, text: string, kind?: Kind): { item: Item; resolved?: string } {
  const name = text.replace(/^#/, '').toLowerCase();
  const number = /^\d+$/.test(name) ? Number(name) : undefined;
  const riskNumber = /^r(\d+)$/.exec(name)?.[1];
  const found: Item[] = [];
  const criterion = release.criteria.find((c) => (number !== undefined ? c.number === number : c.id === name));
  if (criterion) found.push({ kind: 'criterion', criterion });
  const group = release.groups.find((g) => g.id === name);
  if (group) found.push({ kind: 'group', group });
  const sw = release.switches.find((s) => s.key.toLowerCase() === name);
  if (sw) found.push({ kind: 'switch', sw });
  const wanted = riskNumber !== undefined ? Number(riskNumber) : number;
  const risk = wanted === undefined ? undefined : release.risks.find((r) => r.number === wanted);
  if (risk) found.push({ kind: 'risk', risk });
  const candidates = kind === undefined ? found : found.filter((i) => i.kind === kind);
  const [first, ...others] = candidates;
  if (first === undefined) throw new UserError(`${release.name} has no ${kind ?? 'item'} "${text}". ${inventory(release)}`);
  if (others.length === 0) return { item: first };
  const alternatives = others.map((other) => `${nameOf(other)} (\`/release history ${other.kind} ${other.kind === 'risk' ? `R${other.risk.number}` : text}\`)`);
  return { item: first, resolved: `"${text}" names more than one item: showing ${nameOf(first)}. Also: ${alternatives.join(', ')}.` };
}

function inventory(release: Release): string {
  const parts = [
    `Criteria: ${release.criteria.map((c) => `${c.number} ${c.id}`).join(', ') || 'none'}`,
    `groups: ${release.groups.map((g) => g.id).join(', ') || 'none'}`,
    `switches: ${release.switches.map((s) => s.key).join(', ') || 'none'}`,
    `risks: ${release.risks.map((r) => `R${r.number}`).join(', ') || 'none'}`,
  ];
  return `${parts.join('; ')}.`;
}

function nameOf(item: Item): string {
  switch (item.kind) {
    case 'criterion':
      return `criterion ${item.criterion.number} (${item.criterion.id})`;
    case 'group':
      return `review group ${item.group.name}`;
    case 'switch':
      return `switch ${item.sw.key}`;
    case 'risk':
      return `risk R${item.risk.number}`;
  }
}

function timelineOf(release: Release, item: Item, audit: readonly AuditEntry[]): Timeline {
  const subject = nameOf(item);
  const fromAudit = auditEvents(audit, item);
  switch (item.kind) {
    case 'criterion':
      return { subject, description: item.criterion.text, events: [...criterionEvents(release, item.criterion), ...fromAudit] };
    case 'group':
      return { subject, events: [...groupEvents(release, item.group), ...fromAudit] };
    case 'switch':
      return { subject, ...(item.sw.description && { description: item.sw.description }), events: [...switchEvents(item.sw), ...fromAudit] };
    case 'risk':
      return { subject, description: item.risk.description, events: [...riskEvents(item.risk, audit), ...fromAudit] };
  }
}

const ANSWER_STATUS = { met: 'ok', 'not-met': 'failed', 'need-info': 'pending', withdrawn: 'info' } as const;

function criterionEvents(release: Release, criterion: Criterion): TimelineEvent[] {
  const last = criterion.responses.length - 1;
  return criterion.responses.map((response, i) => {
    const marks: string[] = [];
    const stale = i === last && response.answer !== 'withdrawn' ? staleReason(release, criterion, response) : undefined;
    if (stale) marks.push(`stale: ${stale}; it must be confirmed again`);
    else if (i < last) marks.push(criterion.responses[i + 1]!.answer === 'withdrawn' && i + 1 === last ? 'withdrawn later' : 'replaced by a later answer');
    // The answer's own time heads its entry, so the mark names only the deadline it missed.
    for (const late of lateTexts(lateFor(release, response), release.implementation.zone)) marks.push(late.replace(/^Late/, 'late'));
    return {
      at: response.at,
      status: stale ? 'stale' : ANSWER_STATUS[response.answer],
      by: response.by,
      ...(response.onBehalfOf && { onBehalfOf: response.onBehalfOf }),
      platform: response.platform,
      what: response.answer === 'withdrawn' ? [b('answer withdrawn')] : response.answer === 'need-info' ? [t('asked for '), b('more information')] : [t('answered '), b(ANSWER_WORDS[response.answer])],
      ...(response.comment && { comment: response.comment }),
      evidence: response.evidence,
      marks,
    };
  });
}

function groupEvents(release: Release, group: ReviewGroup): TimelineEvent[] {
  const signoffs = group.signoffs.map((signoff, i): TimelineEvent => {
    const member = signoff.onBehalfOf ?? signoff.by;
    const later = group.signoffs.slice(i + 1).some((s) => (s.onBehalfOf ?? s.by) === member);
    const stale = signoff.verdict === 'withdrawn' || later ? undefined : signoffStaleReason(release, group, signoff, i);
    const marks = [...(stale ? [`stale: ${stale}; it must be given again`] : []), ...(later ? ['replaced by a later sign-off of the same member'] : [])];
    const status = stale ? 'stale' : signoff.verdict === 'agree' ? 'ok' : signoff.verdict === 'disagree' ? 'failed' : 'info';
    const what = signoff.verdict === 'withdrawn' ? [b('sign-off withdrawn')] : [t('signed off: '), b(signoff.verdict === 'agree' ? 'agrees' : 'disagrees')];
    return {
      at: signoff.at,
      status,
      by: signoff.by,
      ...(signoff.onBehalfOf && { onBehalfOf: signoff.onBehalfOf }),
      platform: signoff.platform,
      what,
      ...(signoff.note && { comment: signoff.note }),
      marks,
    };
  });
  const views = release.risks.flatMap((risk) =>
    risk.views.filter((v) => v.group === group.id).map((v): TimelineEvent => ({ at: v.at, status: 'info', by: v.by, what: [t(`view recorded on R${risk.number}`)], comment: v.text })),
  );
  return [...signoffs, ...views];
}

function switchEvents(sw: Switch): TimelineEvent[] {
  return sw.history.map((change) => {
    const wrong = change.to !== sw.expected;
    return {
      at: change.at,
      status: wrong ? 'failed' : 'ok',
      by: change.by,
      platform: change.platform,
      what: [t('reported '), b(change.to), t(change.from ? ` (was ${change.from})` : '')],
      ...(change.source && { comment: change.source }),
      marks: wrong ? [`expected ${sw.expected}: this blocked go-live`] : [],
    };
  });
}

/** A risk keeps only its latest status: each earlier acceptance or closing is read from the audit trail. */
function riskEvents(risk: Risk, audit: readonly AuditEntry[]): TimelineEvent[] {
  const events: TimelineEvent[] = [{ at: risk.at, status: 'info', by: risk.by, what: [t('risk added'), ...(risk.owner ? [t(', owner '), user(risk.owner)] : [])] }];
  risk.mitigations.forEach((m, i) => events.push({ at: m.at, status: 'info', by: m.by, what: [t(`mitigation ${i + 1} added`)], comment: m.text }));
  for (const v of risk.views) events.push({ at: v.at, status: 'info', by: v.by, what: [t(`${v.group.toUpperCase()}'s view recorded`)], comment: v.text });
  let statusSeen = false;
  for (const entry of audit) {
    const command = entry.outcome === 'applied' ? commandOf(entry) : undefined;
    if ((command?.name !== 'risk-accept' && command?.name !== 'risk-close') || command.risk !== risk.number) continue;
    statusSeen = true;
    const accepted = command.name === 'risk-accept';
    events.push({
      at: entry.at,
      status: accepted ? 'ok' : 'info',
      by: qualifiedAs(entry.actor.platform, entry.actor.id),
      platform: entry.actor.platform,
      what: [b(accepted ? (command.conditions ? 'accepted with conditions' : 'accepted') : 'closed')],
      ...(accepted && command.conditions && { comment: command.conditions }),
    });
  }
  if (!statusSeen && risk.status !== 'open') events.push({ at: risk.statusChangedAt, status: 'info', what: [b(risk.status.replace(/-/g, ' '))], ...(risk.conditions && { comment: risk.conditions }) });
  return events;
}

const commandOf = recordedCommand;

/**
 * What only the audit trail holds about an item: refused attempts (who tried) and the set-up
 * commands that changed it (owners, members, guarding).
 */
function auditEvents(audit: readonly AuditEntry[], item: Item): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const entry of audit) {
    const command = commandOf(entry);
    if (command === undefined || !concerns(command, item)) continue;
    const by = { by: qualifiedAs(entry.actor.platform, entry.actor.id), platform: entry.actor.platform };
    if (entry.outcome === 'refused') {
      const times = entry.count !== undefined ? ` (${entry.count} attempts)` : '';
      events.push({ at: entry.at, status: 'failed', ...by, what: [t('refused: '), t(entry.command, 'code')], marks: [`not allowed${times}: ${entry.reason ?? 'refused'}`] });
    } else if (command.name === 'owner' || command.name === 'group' || command.name === 'switch-add') {
      events.push({ at: entry.at, status: 'info', ...by, what: [t('set up: '), t(entry.command, 'code')] });
    }
  }
  return events;
}

function concerns(command: Command, item: Item): boolean {
  switch (item.kind) {
    case 'criterion': {
      if (command.name !== 'confirm' && command.name !== 'withdraw' && command.name !== 'owner') return false;
      const ref = command.criterion;
      return 'id' in ref ? ref.id === item.criterion.id : ref.number === item.criterion.number;
    }
    case 'group':
      return (command.name === 'signoff' || command.name === 'signoff-withdraw' || command.name === 'group' || command.name === 'risk-view') && command.group === item.group.id;
    case 'switch':
      return (command.name === 'switch-set' || command.name === 'switch-add') && command.key.toLowerCase() === item.sw.key.toLowerCase();
    case 'risk':
      return (command.name === 'risk-mitigate' || command.name === 'risk-view' || command.name === 'risk-accept' || command.name === 'risk-close') && command.risk === item.risk.number;
  }
}

export async function handleSwitchList(ctx: Ctx): Promise<Reply[]> {
  return [reply(switchListView((await ctx.stored()).release))];
}

export async function handleRiskList(ctx: Ctx): Promise<Reply[]> {
  return [reply(riskListView((await ctx.stored()).release))];
}
