import type { Command, CriterionRef } from '../language/commands.js';
import type { Criterion, Release } from '../../domain/release.js';
import { authorizeRoleAssignment, requireManager } from './authz.js';
import { selvesOf, UserError, type Reply } from '../request.js';
import type { PersonId } from '../../domain/person-id.js';
import { ChannelTakenError } from '../store-port.js';
import type { Ctx } from '../context.js';
import { outcomeReply } from './result.js';
import { tellNewOwners } from './new-owners.js';
import { doneView } from '../../views/messages.js';
import { b, paragraph, people, t } from '../../views/elements.js';
import { holidayCoverageWarning } from '../../views/status.js';
import { ALLOW_NON_WORKING_DAY, checkImplementation } from './implementation-date.js';
import { day } from '../../views/format.js';
import { roleMembers } from '../../domain/people.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

export function findCriterion(release: Release, ref: CriterionRef): Criterion {
  const found = 'id' in ref ? release.criteria.find((c) => c.id === ref.id) : release.criteria.find((c) => c.number === ref.number);
  if (!found) {
    const known = release.criteria.map((c) => `${c.number} ${c.id}`).join(', ');
    throw new UserError(`${release.name} has no criterion ${'id' in ref ? `"${ref.id}"` : ref.number}. Its criteria are: ${known}.`);
  }
  return found;
}

export async function handleRole(ctx: Ctx, cmd: Of<'role'>): Promise<Reply[]> {
  const users = await ctx.users(cmd.users);
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    const role = Object.keys(release.roles).find((r) => r.toLowerCase() === cmd.role.toLowerCase()) ?? cmd.role;
    authorizeRoleAssignment(release, ctx.actor, role, users);
    const before = roleMembers(release, role);
    const was = structuredClone(release);
    release.roles[role] = users;
    return { before: { role, people: before }, after: { role, people: users }, outbox: tellNewOwners(was, release, ctx.now.toISOString()), result: role };
  });
  return outcomeReply(outcome, (role) => doneView('Role set', t(`Role ${role}: `), ...people(users)));
}

export async function handleManager(ctx: Ctx, cmd: Of<'manager'>): Promise<Reply[]> {
  const users = await ctx.users(cmd.users);
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'change the managers');
    const before = [...release.managers];
    release.managers = cmd.op === 'add' ? [...new Set([...before, ...users])] : before.filter((m) => !users.includes(m));
    if (release.managers.length === 0) throw new UserError('A release needs at least one manager; add another before removing the last.');
    return { before: { managers: before }, after: { managers: release.managers }, result: release.managers };
  });
  return outcomeReply(outcome, (managers) => doneView('Managers set', t('Managers: '), ...people(managers)));
}

export async function handleDelegate(ctx: Ctx, cmd: Of<'delegate'>): Promise<Reply[]> {
  const delegate = await ctx.user(cmd.delegate);
  const principal = await ctx.user(cmd.for);
  if (delegate === principal) throw new UserError('A person cannot be their own delegate.');
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    // The person themselves may name their stand-in; otherwise it is a manager's call.
    if (!selvesOf(ctx.actor).includes(principal as PersonId)) requireManager(release, ctx.actor, 'name delegates for others');
    const entry = { delegate, for: principal };
    if (!release.delegates.some((d) => d.delegate === delegate && d.for === principal)) release.delegates.push(entry);
    return { before: null, after: { delegate: entry }, result: entry };
  });
  return outcomeReply(outcome, (d) => doneView('Delegate named', ...people([d.delegate]), t(' may now answer for '), ...people([d.for]), t(' on this release.')));
}

export async function handleOwner(ctx: Ctx, cmd: Of<'owner'>): Promise<Reply[]> {
  const users = await ctx.users(cmd.users);
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'change criterion owners');
    const criterion = findCriterion(release, cmd.criterion);
    const before = structuredClone(criterion.owners);
    const was = structuredClone(release);
    criterion.owners = { roles: [], people: users };
    return {
      before: { criterion: criterion.id, owners: before },
      after: { criterion: criterion.id, owners: criterion.owners },
      outbox: tellNewOwners(was, release, ctx.now.toISOString()),
      result: criterion,
    };
  });
  return outcomeReply(outcome, (c) => doneView('Owners set', t(`Criterion ${c.number} (${c.id}) is now owned by `), ...people(users)));
}

export async function handleLink(ctx: Ctx): Promise<Reply[]> {
  const channel = ctx.channel;
  if (!channel) throw new UserError('Run `link` in the channel you want the release to follow.');
  const id = await ctx.releaseId();
  const linked = await ctx.store.findByChannel(channel);
  if (linked !== undefined && linked !== id) throw new UserError(`This channel already follows release "${linked}".`);
  // The store checks again inside the write: a `create` or `link` racing this one is refused there.
  const outcome = await ctx
    .change(id, (release) => {
      requireManager(release, ctx.actor, 'link channels');
      if (!release.channels.some((c) => c.platform === channel.platform && c.id === channel.id)) release.channels.push(channel);
      return { before: null, after: { channel }, result: release };
    })
    .catch((error: unknown) => {
      throw error instanceof ChannelTakenError ? new UserError(`This channel already follows release "${error.releaseId}".`) : error;
    });
  return outcomeReply(outcome, (release) => doneView('Channel linked', t(`This channel now follows ${release.name}.`)));
}

export async function handleDate(ctx: Ctx, cmd: Of<'date'>): Promise<Reply[]> {
  const outcome = await ctx.change(await ctx.releaseId(), (release) => {
    requireManager(release, ctx.actor, 'move the implementation date');
    const from = { date: release.implementation.date, time: release.implementation.time };
    const to = { date: cmd.date, time: cmd.time ?? from.time };
    if (from.date === to.date && from.time === to.time) throw new UserError(`The implementation is already set for ${day(to.date)} ${to.time}.`);
    const allowed = checkImplementation({
      implementation: { ...release.implementation, ...to },
      holidays: release.holidays,
      calendar: release.template,
      now: ctx.now,
      allowNonWorkingDay: cmd.allowNonWorkingDay === true,
    });
    release.implementation = { ...release.implementation, ...to };
    const change = { from, to, reason: cmd.reason, by: ctx.actor.id, at: ctx.now.toISOString() };
    release.dateChanges.push(change);
    return {
      before: { implementation: from },
      after: { implementation: to, reason: cmd.reason, ...(allowed.nonWorkingDay && { allowedNonWorkingDay: allowed.nonWorkingDay }) },
      outbox: release.channels.map((channel) => ({
        id: `date-moved:${release.id}:${change.at}:${channel.platform}:${channel.id}`,
        kind: 'date-moved' as const,
        to: { channel },
        params: { index: release.dateChanges.length - 1 },
      })),
      result: { change, allowed, uncovered: holidayCoverageWarning(to.date, release.holidays) },
    };
  });
  return outcomeReply(outcome, ({ change: c, allowed, uncovered }) => {
    const view = doneView('Date moved', t(`Implementation moved to ${day(c.to.date)} ${c.to.time}. Every earlier confirmation is now stale and must be given again.`));
    if (allowed.nonWorkingDay) view.blocks.push(paragraph(b('Note: '), t(`${allowed.nonWorkingDay}; moved to it as ${ALLOW_NON_WORKING_DAY} asked.`)));
    if (uncovered) view.blocks.push(paragraph(b('Warning: '), t(uncovered)));
    return view;
  });
}
