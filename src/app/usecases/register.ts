import type { Command } from '../language/commands.js';
import type { Release, Risk } from '../../domain/release.js';
import { isManager, requireManager, requireManagerOrHook } from './authz.js';
import { Refusal, selvesOf, UserError, type Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { outcomeReply } from './result.js';
import { doneView } from '../../views/messages.js';
import { b, people, t } from '../../views/elements.js';
import { actingFor, roleMembers } from '../../domain/people.js';
import type { PersonId } from '../../domain/person-id.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

export async function handleGroup(ctx: Ctx, cmd: Of<'group'>): Promise<Reply[]> {
  const members = await ctx.users(cmd.members);
  const delegates: Array<{ delegate: string; for: string }> = [];
  for (const d of cmd.delegates) delegates.push({ delegate: await ctx.user(d.delegate), for: await ctx.user(d.for) });
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'set up review groups');
    let group = release.groups.find((g) => g.id === cmd.group);
    const before = group ? { members: group.members, quorum: group.quorum, meeting: group.meeting, delegates: group.delegates } : null;
    if (!group) {
      group = { id: cmd.group, name: cmd.group.toUpperCase(), members: [], delegates: [], quorum: 1, signoffs: [] };
      release.groups.push(group);
    }
    group.members = members;
    if (cmd.quorum !== undefined) group.quorum = cmd.quorum;
    if (cmd.meeting !== undefined) group.meeting = cmd.meeting;
    for (const d of delegates) {
      if (!members.includes(d.for)) throw new UserError(`${d.for} is not a member of ${group.name}, so nobody can be their delegate there.`);
      if (!group.delegates.some((x) => x.delegate === d.delegate && x.for === d.for)) group.delegates.push(d);
    }
    if (group.quorum > members.length) throw new UserError(`A quorum of ${group.quorum} cannot be reached by ${members.length} member${members.length === 1 ? '' : 's'}.`);
    const after = { members: group.members, quorum: group.quorum, meeting: group.meeting, delegates: group.delegates };
    return { before: { group: group.id, ...before }, after: { group: group.id, ...after }, result: group };
  });
  return outcomeReply(outcome, (g) =>
    doneView(
      'Review group set',
      b(g.name),
      t(': '),
      ...people(g.members),
      t(` · quorum ${g.quorum}${g.meeting ? ` · meeting ${g.meeting}` : ''}${g.delegates.length > 0 ? ` · ${g.delegates.length} delegate(s)` : ''}`),
    ),
  );
}

function findRisk(release: Release, number: number): Risk {
  const risk = release.risks.find((r) => r.number === number);
  if (!risk) throw new UserError(`${release.name} has no risk R${number}.${release.risks.length > 0 ? ` Its risks are ${release.risks.map((r) => `R${r.number}`).join(', ')}.` : ''}`);
  return risk;
}

/** Risk decisions belong to the managers and to the approvers who carry them. */
function requireRiskAuthority(release: Release, ctx: Ctx, doing: string): void {
  if (selvesOf(ctx.actor).some((self) => roleMembers(release, release.approverRole).includes(self))) return;
  requireManager(release, ctx.actor, doing);
}

export async function handleRisk(ctx: Ctx, cmd: Of<'risk-add' | 'risk-mitigate' | 'risk-view' | 'risk-accept' | 'risk-close'>): Promise<Reply[]> {
  const owner = cmd.name === 'risk-add' && cmd.owner ? await ctx.user(cmd.owner) : undefined;
  const at = ctx.now.toISOString();
  const stamp = { by: ctx.actor.id, at };
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    if (cmd.name === 'risk-add') {
      requireManager(release, ctx.actor, 'add risks');
      const risk: Risk = { number: release.risks.length + 1, description: cmd.text, ...(owner && { owner }), mitigations: [], views: [], status: 'open', statusChangedAt: at, ...stamp };
      release.risks.push(risk);
      return { before: null, after: { risk }, result: { risk, said: `Risk R${risk.number} added; it blocks go-live until it is accepted or closed.` } };
    }
    const risk = findRisk(release, cmd.risk);
    const before = structuredClone(risk);
    let said: string;
    switch (cmd.name) {
      case 'risk-mitigate':
        if (risk.owner === undefined || !selvesOf(ctx.actor).includes(risk.owner as PersonId)) requireManager(release, ctx.actor, 'add mitigations');
        risk.mitigations.push({ text: cmd.text, ...stamp });
        said = `Mitigation ${risk.mitigations.length} added to R${risk.number}.`;
        break;
      case 'risk-view': {
        const group = release.groups.find((g) => g.id === cmd.group);
        if (!group) throw new UserError(`${release.name} has no review group "${cmd.group}".`);
        if (actingFor(selvesOf(ctx.actor), group.members, group.delegates).length === 0 && !isManager(release, ctx.actor)) {
          throw new Refusal(`Only members of ${group.name} or the release managers can record ${group.name}'s view.`);
        }
        risk.views.push({ group: group.id, text: cmd.text, ...stamp });
        said = `${group.name}'s view recorded on R${risk.number}.`;
        break;
      }
      case 'risk-accept':
        requireRiskAuthority(release, ctx, 'accept risks');
        if (risk.status === 'closed') throw new UserError(`R${risk.number} is closed already.`);
        risk.status = cmd.conditions ? 'accepted-with-conditions' : 'accepted';
        if (cmd.conditions) risk.conditions = cmd.conditions;
        else delete risk.conditions;
        risk.statusChangedAt = at;
        said = `R${risk.number} ${risk.status.replace(/-/g, ' ')}.`;
        break;
      case 'risk-close':
        requireRiskAuthority(release, ctx, 'close risks');
        risk.status = 'closed';
        risk.statusChangedAt = at;
        said = `R${risk.number} closed.`;
        break;
    }
    return { before: { risk: before }, after: { risk }, result: { risk, said } };
  });
  return outcomeReply(outcome, ({ said }) => doneView('Risk register updated', t(said)));
}

export async function handleSwitch(ctx: Ctx, cmd: Of<'switch-add' | 'switch-set'>): Promise<Reply[]> {
  const at = ctx.now.toISOString();
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    if (cmd.name === 'switch-add') requireManager(release, ctx.actor, 'guard switches');
    else requireManagerOrHook(release, ctx.actor, 'record switch changes');
    const existing = release.switches.find((s) => s.key.toLowerCase() === cmd.key.toLowerCase());
    if (cmd.name === 'switch-add') {
      if (existing) throw new UserError(`Switch ${existing.key} is guarded already (expected ${existing.expected}).`);
      const sw = { key: cmd.key, expected: cmd.expect, ...(cmd.description && { description: cmd.description }), history: [] };
      release.switches.push(sw);
      return { before: null, after: { switch: sw }, result: { said: `Switch ${sw.key} guarded: it must be ${sw.expected} for go-live. Report its state with \`/release switch ${sw.key} on|off\`.` } };
    }
    if (!existing) throw new UserError(`No guarded switch "${cmd.key}". Guarded: ${release.switches.map((s) => s.key).join(', ') || 'none'}.`);
    const change = { ...(existing.current && { from: existing.current }), to: cmd.state, by: ctx.actor.id, platform: ctx.actor.platform, source: cmd.source ?? '', at };
    const previous = existing.current;
    existing.current = cmd.state;
    existing.history.push(change);
    const wrong = cmd.state !== existing.expected;
    const changed = previous !== cmd.state;
    // Every change of a guarded switch is announced, as the TOC alert is in the paper; a report
    // of the same state is recorded but not broadcast.
    const outbox = changed
      ? release.channels.map((channel) => ({
          id: `switch:${release.id}:${existing.key}:${existing.history.length}:${channel.platform}:${channel.id}`,
          kind: 'switch-alert' as const,
          to: { channel },
          params: { key: existing.key, index: existing.history.length - 1 },
        }))
      : [];
    return {
      before: { switch: existing.key, state: previous ?? null },
      after: { switch: existing.key, state: cmd.state },
      outbox,
      result: { said: `Switch ${existing.key} recorded as ${cmd.state}${wrong ? ` — expected ${existing.expected}: this blocks go-live` : ''}.` },
    };
  });
  return outcomeReply(outcome, ({ said }) => doneView('Switch recorded', t(said)));
}
